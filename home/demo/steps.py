"""The demo loader's steps, in order. Each is a function taking the ``DemoContext``; each is
idempotent. A new feature adds its demo data by appending the dotted path of its own step (for
example ``"homestays.demo.load_homestays"``) after the pages it builds on.
"""

from home.models import HomePage

STEPS = [
    "home.demo.users.load_users",
    "home.demo.site.load_home",
    "home.demo.attractions.load_villages",
    "home.demo.attractions.load_attraction_index",
    "home.demo.attractions.load_attractions",
    "home.demo.attractions.load_routes",
    "attractions.demo.load_experiences",
    "home.demo.events.load_event_index",
    "home.demo.events.load_events",
    "homestays.demo.load_homestays",
    "products.demo.load_shop",
    "live.demo.load_live",
    "home.demo.site.load_standard_pages",
    "home.demo.site.finish_home",
    "events.demo.load_tickets_and_season",
    "gates.demo.load_entry",
    "groups.demo.load_programmes",
    "groups.demo.load_enquiry_and_quote",
    "groups.demo.load_accepted_quote",
    "reports.demo.load_sales_history",
    "statements.demo.load_payouts",
    "groups.demo.load_booked_groups",
    "home.demo.site.load_footer",
    "feedback.demo.load_reports",
    "reviews.demo.load_reviews",
    "scenic.demo.load_scenic",
]


def demo_loaded():
    """True once the site has its own home page (``--if-empty`` then leaves it alone)."""
    return HomePage.objects.exists()
