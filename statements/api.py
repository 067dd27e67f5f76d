"""``GET /api/v1/me/statement?from=&to=``: a producer's or host's own statement (django-ninja).

401 without an account; 403 for anyone who sells nothing in the town; 422 in ninja's shape
(``{"detail": [{"loc": ["query", field], "msg": ...}]}``) for a date that is not one or a
period that ends before it starts. Money in fen; the period's days are town days, both included.
"""

from datetime import date

from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import ValidationError

from accounts.api import token_or_login

from . import services

router = Router(tags=["statements"])


class StatementQuery(Schema):
    # Strings, so a bad date gets our message in the caller's language, not pydantic's.
    from_: str = Field("", alias="from")
    to: str = ""


class LineOut(Schema):
    id: int
    order_reference: str
    kind: str
    sold_on: date
    title: str
    item_name: str
    quantity: int
    commission_bp: int
    gross_fen: int
    refunds_fen: int
    commission_fen: int
    net_fen: int


class PayoutOut(Schema):
    id: int
    paid_on: date
    amount_fen: int
    method: str
    reference: str


class TotalsOut(Schema):
    opening_balance_fen: int
    gross_fen: int
    refunds_fen: int
    commission_fen: int
    net_fen: int
    payouts_fen: int
    balance_fen: int


class StatementOut(Schema):
    seller: str
    from_: date = Field(..., alias="from")
    to: date
    lines: list[LineOut]
    payouts: list[PayoutOut]
    totals: TotalsOut


class ErrorOut(Schema):
    detail: str
    code: str = ""


@router.get(
    "/me/statement",
    response={200: StatementOut, 403: ErrorOut},
    auth=token_or_login,
    by_alias=True,
    summary="The caller's statement: sales, refunds, commission, payouts and the balance owed",
    description="For producers and homestay hosts; anyone else 403. `from` and `to` (YYYY-MM-DD, "
    "both included; default this month to today): 422 when not dates or `to` is before `from`.",
)
def my_statement(request, query: Query[StatementQuery]):
    user = request.user
    if not services.may_have_statement(user):
        return Status(
            403, {"detail": gettext("Only producers and hosts have a statement."), "code": "not_a_seller"}
        )
    try:
        period = services.parse_period(query.from_, query.to)
    except services.StatementInvalid as exc:
        raise ValidationError(
            [
                {"type": "value_error", "loc": ["query", name], "msg": message}
                for name, message in exc.errors.items()
            ]
        ) from None
    found = services.statement(user, period)
    return {
        "seller": found.seller_name,
        "from": period.first,
        "to": period.last,
        "lines": [
            {
                "id": line.line_id,
                "order_reference": line.order_reference,
                "kind": line.kind,
                "sold_on": line.sold_on,
                "title": line.title,
                "item_name": line.item_name,
                "quantity": line.quantity,
                "commission_bp": line.commission_bp,
                "gross_fen": line.gross_fen,
                "refunds_fen": line.refunds_fen,
                "commission_fen": line.commission_fen,
                "net_fen": line.net_fen,
            }
            for line in found.lines
        ],
        "payouts": [
            {
                "id": payout.payout_id,
                "paid_on": payout.paid_on,
                "amount_fen": payout.amount_fen,
                "method": payout.method,
                "reference": payout.reference,
            }
            for payout in found.payouts
        ],
        "totals": found.totals.as_dict(),
    }
