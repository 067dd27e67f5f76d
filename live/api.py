"""GET /api/v1/live: the approved sessions (live, upcoming, the last 90 days' replays) with their
pinned products, session prices and units left. Public and cached like the other public reads
(``town.page_cache``): a sale bumps the "live" stock tags through the reservation core."""

from datetime import datetime

from ninja import Router, Schema

from .selectors import session_index

router = Router(tags=["live"])


class PinOut(Schema):
    id: int
    product_id: int
    name: str
    unit: str
    shop_price_fen: int
    session_price_fen: int
    stock: int
    units_left: int
    url: str


class SessionOut(Schema):
    id: int
    title: str
    status: str
    producer: str
    platform: str
    stream_url: str
    embed_url: str
    replay_url: str
    starts_at: datetime
    ends_at: datetime
    url: str
    pins: list[PinOut]


class SessionListOut(Schema):
    live: list[SessionOut]
    upcoming: list[SessionOut]
    past: list[SessionOut]


def _out(session, request):
    return {
        "id": session.pk,
        "title": session.title,
        "status": session.state,
        "producer": session.producer.display_name,
        "platform": session.platform,
        "stream_url": session.stream_url,
        "embed_url": session.embed_url,
        "replay_url": session.replay_url,
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "url": request.build_absolute_uri(session.get_absolute_url()),
        "pins": [
            {
                "id": pin.pk,
                "product_id": pin.product_id,
                "name": pin.product_shown.display_name,
                "unit": pin.product.unit,
                "shop_price_fen": pin.product.price_fen,
                "session_price_fen": pin.price_fen,
                "stock": pin.stock,
                "units_left": pin.units_left,
                "url": request.build_absolute_uri(pin.product_url) if pin.product_url else "",
            }
            for pin in session.pins.all()
        ],
    }


@router.get("", response=SessionListOut, summary="Live selling sessions with their pinned products")
def list_sessions(request):
    groups = session_index()
    return {name: [_out(s, request) for s in sessions] for name, sessions in groups.items()}
