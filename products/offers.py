"""Offers that sell a product for a while at another price and from stock set aside for them: a
live session's pinned product (the ``live`` app). The shop knows only this interface; the app
that makes an offer registers it here, as the kinds register with orders, so products imports
nothing above it.

A product line carrying ``options[offer.option]`` (the offer's id) is priced, checked and claimed
by the offer instead of the shop: its units come out of what the offer set aside, never out of
the shop's own stock, so the two can never sell the same unit twice.
"""


class ProductOffer:
    # The key in a line's data and options naming the offer: {"live_pin": 7}.
    option = ""

    def clean(self, value, product, *, now=None) -> int:
        """The offer's id for a posted ``value`` on ``product``; raise ``LineInvalid`` else."""
        raise NotImplementedError

    def load(self, ids, *, now=None) -> dict:
        """{id: offer row} for a batch of lines, in a fixed number of queries."""
        raise NotImplementedError

    def unit_price_fen(self, offer, product, *, now=None) -> int:
        """The unit price while the offer runs; raise a ``ReservationError`` once it does not."""
        raise NotImplementedError

    def check(self, offer, product, quantity, *, now=None) -> None:
        """Raise ``SoldOut`` (or another ``ReservationError``) when ``quantity`` cannot be had."""
        raise NotImplementedError

    def claims(self, offer_id, quantity) -> list:
        raise NotImplementedError

    def label(self, offer) -> str:
        """A word for the basket and order line ("直播价")."""
        return ""


_registry: dict[str, ProductOffer] = {}


def register_offer(offer: ProductOffer) -> ProductOffer:
    _registry[offer.option] = offer
    return offer


def offer_of(options) -> tuple[ProductOffer | None, int | None]:
    """The offer a line's options name, with its id; (None, None) for a plain shop line."""
    for key, offer in _registry.items():
        value = (options or {}).get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return offer, value
    return None, None


def posted_offer(data) -> tuple[ProductOffer | None, object]:
    """The offer named in posted line ``data`` (any type, cleaned by the offer), or (None, None)."""
    for key, offer in _registry.items():
        if data.get(key) not in (None, ""):
            return offer, data.get(key)
    return None, None
