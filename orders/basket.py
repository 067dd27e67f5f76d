"""The basket: one per visitor, kept by session while anonymous and by account once logged in.

The session stores only the basket's id; prices and availability are worked out afresh every
time the basket is shown (``summarize``), never stored on the line.
"""

import json
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .exceptions import ReservationError
from .lines import LineCheck, LineInvalid, check_lines, get_line_kind
from .models import Basket, BasketLine
from .models.orders import DEFAULT_CURRENCY
from .money import Money
from .selectors import offers_are_theirs

SESSION_KEY = "orders_basket_id"
MAX_LINES = 20


class BasketLineNotFound(Exception):
    message = _("This line is not in your basket.")


class BasketFull(LineInvalid):
    def __init__(self):
        super().__init__({"basket": _("Your basket is full (%(n)d items at most).") % {"n": MAX_LINES}})


@dataclass
class BasketSummary:
    basket: Basket | None
    lines: list[LineCheck]
    total: Money

    @property
    def all_available(self):
        return all(view.available for view in self.lines)


def _session_basket(request):
    basket_id = request.session.get(SESSION_KEY)
    if not isinstance(basket_id, int):
        return None
    return Basket.objects.filter(pk=basket_id, user__isnull=True).first()


def get_basket(request, *, create=False):
    """The visitor's basket (None if they have none and ``create`` is False)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        basket = Basket.objects.filter(user=user).first()
        anonymous = _session_basket(request)
        if anonymous is not None:
            # Logged in some way that skipped the signal (tests, API log-in): merge now.
            basket = merge_baskets(anonymous, user)
            request.session.pop(SESSION_KEY, None)
        if basket is None and create:
            basket, _created = Basket.objects.get_or_create(user=user)
        return basket
    basket = _session_basket(request)
    if basket is None and create:
        if request.session.session_key is None:
            request.session.save()
        basket = Basket.objects.create(session_key=request.session.session_key)
        request.session[SESSION_KEY] = basket.pk
    return basket


def add_line(basket, data: dict, *, now=None) -> BasketLine:
    """Validate ``data`` with the line's kind and add it; refuses lines that cannot be had now.

    Raises ``LineInvalid`` (field errors) or ``ReservationError`` (sold out, dates closed); see
    ``refusal`` for how pages and the API answer them.
    Anything in ``data`` that looks like a price is ignored.
    """
    handler = get_line_kind(data.get("kind"))
    cleaned = handler.validate(data)
    note = data.get("note") or ""
    if not isinstance(note, str) or len(note) > 500:
        raise LineInvalid({"note": _("Please keep the note under 500 characters.")})
    line = BasketLine(
        basket=basket,
        kind=cleaned.kind,
        object_id=cleaned.object_id,
        start_date=cleaned.start_date,
        end_date=cleaned.end_date,
        guests=cleaned.guests,
        quantity=cleaned.quantity,
        options=dict(cleaned.options),
        note=note.strip(),
    )
    # A waiting-list offer held for this visitor is theirs to add (``orders.waitlist``).
    with offers_are_theirs(basket.user_id):
        handler.check(line, now=now)
    with transaction.atomic():
        locked = Basket.objects.select_for_update().get(pk=basket.pk)
        if locked.lines.count() >= MAX_LINES:
            raise BasketFull()
        line.save()
        locked.save(update_fields=["updated_at"])
    return line


@dataclass
class Refusal:
    """A line not added, as every add-to-basket page and the API answer it, whatever its kind."""

    status: int  # 422: bad input, with field errors; 409: it cannot be had now (sold out, closed)
    errors: dict  # field name → message ("" for the line as a whole)
    code: str  # "invalid", else the ReservationError's code ("sold_out", "dates_unavailable", ...)

    @property
    def messages(self) -> list[str]:
        return list(self.errors.values())

    def add_to_form(self, form):
        """The messages on the fields of ``form`` they belong to, the others on the whole form."""
        for name, message in self.errors.items():
            form.add_error(name if name in form.fields else None, message)


def refusal(exc) -> Refusal:
    """The answer to ``add_line`` raising ``exc`` (a ``LineInvalid`` or a ``ReservationError``)."""
    if isinstance(exc, LineInvalid):
        return Refusal(422, dict(exc.errors), "invalid")
    return Refusal(409, {"": str(exc.message)}, exc.code)


def add_line_or_refusal(basket, data: dict, *, now=None) -> tuple[BasketLine | None, Refusal | None]:
    """``add_line``, with a refusal instead of an exception: (line, None) or (None, refusal)."""
    try:
        return add_line(basket, data, now=now), None
    except (LineInvalid, ReservationError) as exc:
        return None, refusal(exc)


def remove_line(basket, line_id) -> None:
    if basket is None or not isinstance(line_id, int):
        raise BasketLineNotFound()
    deleted, _detail = BasketLine.objects.filter(basket=basket, pk=line_id).delete()
    if not deleted:
        raise BasketLineNotFound()


def set_line_note(basket, line_id, note) -> None:
    BasketLine.objects.filter(basket=basket, pk=line_id).update(note=(note or "")[:500])


def summarize(basket, *, now=None) -> BasketSummary:
    """Every line with its server price and whether it can still be had (with the reason), in a
    fixed number of queries per kind of line, whatever the number of lines (``check_lines``)."""
    if basket is None:
        return BasketSummary(None, [], Money.zero(DEFAULT_CURRENCY))
    with offers_are_theirs(basket.user_id):
        views = check_lines(basket.lines.all(), now=now)
    total = Money.zero(basket.currency)
    for view in views:
        if view.available:
            total = total + view.price.total
    return BasketSummary(basket, views, total)


def merge_baskets(anonymous: Basket, user) -> Basket:
    """Move an anonymous basket's lines into ``user``'s basket (creating it); return that basket.

    Lines already in the user's basket (same item, dates, guests and quantity) are not doubled,
    and the user's basket never grows past ``MAX_LINES``.
    """
    with transaction.atomic():
        target, _created = Basket.objects.get_or_create(user=user)
        target = Basket.objects.select_for_update().get(pk=target.pk)
        if anonymous is None or anonymous.pk == target.pk:
            return target
        current = list(target.lines.all())
        existing = {_merge_key(line) for line in current}
        room = MAX_LINES - len(current)
        for line in BasketLine.objects.select_for_update().filter(basket=anonymous).order_by("pk"):
            key = _merge_key(line)
            if key in existing or room <= 0:
                continue
            line.basket = target
            line.save(update_fields=["basket"])
            existing.add(key)
            room -= 1
        anonymous.delete()
        return target


def _merge_key(line):
    return (
        line.kind,
        line.object_id,
        line.start_date,
        line.end_date,
        line.guests,
        line.quantity,
        json.dumps(line.options or {}, sort_keys=True),
    )


def merge_on_login(sender, request, user, **kwargs):
    """allauth's ``user_logged_in``: the anonymous basket of this session joins the account's."""
    if request is None or not hasattr(request, "session"):
        return
    anonymous = _session_basket(request)
    if anonymous is not None:
        merge_baskets(anonymous, user)
    request.session.pop(SESSION_KEY, None)


def purge_stale_baskets(*, older_than=timedelta(days=30), now=None) -> int:
    """Delete anonymous baskets untouched for ``older_than`` (their sessions are long gone)."""
    cutoff = (now or timezone.now()) - older_than
    _total, per_model = Basket.objects.filter(user__isnull=True, updated_at__lt=cutoff).delete()
    return per_model.get(Basket._meta.label, 0)
