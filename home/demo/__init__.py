"""The demo town loaded by ``manage.py load_demo``: texts, pictures and the steps that build it."""
