"""A voucher's code as a QR code: SVG for pages, PNG for e-mails."""

import base64
import io

import qrcode
import qrcode.image.svg


def qr_svg(code: str) -> str:
    """The QR code of ``code`` as an inline SVG document (for pages)."""
    image = qrcode.make(code, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    return image.to_string(encoding="unicode")


def qr_svg_data_uri(code: str) -> str:
    svg = qr_svg(code).encode()
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def qr_png(code: str) -> bytes:
    """The QR code as PNG bytes (for e-mails: mail clients show PNG, not SVG)."""
    buffer = io.BytesIO()
    qrcode.make(code, box_size=6, border=2).save(buffer, format="PNG")
    return buffer.getvalue()
