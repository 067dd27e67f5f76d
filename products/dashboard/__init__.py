"""The farmer dashboard: a verified farmer's products, orders to fulfil and sales, on the public
site and made for a phone (farmers never enter the Wagtail admin)."""
