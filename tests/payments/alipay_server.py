"""A local stand-in for Alipay's open-platform gateway (tests/payments/test_alipay.py).

A threading HTTP server on a free loopback port, written from Alipay's documentation rather than
from the SDK:

* A request (GET query or POST form) is signed RSA2 (SHA256withRSA, PKCS#1 v1.5) by the app over
  ``k=v`` of every non-empty parameter but ``sign``, sorted by name and joined with ``&``; it is
  checked with the app's public key, and must carry our app id, ``charset=utf-8``, ``version=1.0``
  and a ``yyyy-MM-dd HH:mm:ss`` timestamp. A bad one is answered, unsigned, with
  ``isv.invalid-signature`` (code 40002), as Alipay does.
* An answer is ``{"<method>_response": {...}, "sign": ...}``, signed with the gateway's own key
  over the exact text of the response object.
* Methods: ``alipay.trade.query``, ``alipay.trade.refund`` (idempotent on ``out_request_no``),
  ``alipay.trade.close``, ``alipay.trade.fastpay.refund.query``. The cashier (page and wap pay)
  is not called by the server but visited by the browser: ``pay(url)`` checks the link's signature
  and parameters as the cashier would, marks the trade paid and returns the asynchronous
  notification Alipay would post, signed (RSA2 over the sorted fields less ``sign`` and
  ``sign_type``) with the gateway's key.
* ``alipay.data.dataservice.bill.downloadurl.query`` (bill_type trade) answers the address of the
  day's bill: a zip of GBK CSVs, "<pid>_<yyyymmdd>_业务明细.csv" and its "(汇总)", as Alipay
  documents them ("#" lines around the table, values padded with tabs).
"""

import io
import json
import re
import secrets
import threading
import zipfile
from datetime import datetime
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qsl, urlsplit

from tests.servers import BackgroundHTTPServer

from .keys import new_key, private_pem, public_pem  # noqa: F401 (the tests' imports)
from .keys import rsa_sign as rsa2_sign
from .keys import rsa_valid as rsa2_valid

# The app id our test settings give Alipay (tests/payments/conftest.py: the ``alipay`` fixture).
APP_ID = "2021000000000001"
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")
PAY_METHODS = {"alipay.trade.page.pay": "FAST_INSTANT_TRADE_PAY", "alipay.trade.wap.pay": "QUICK_WAP_PAY"}


def signing_text(params: dict, leave_out=("sign",)) -> str:
    return "&".join(f"{k}={v}" for k, v in sorted(params.items()) if k not in leave_out and v != "")


class GbkZipInfo(zipfile.ZipInfo):
    """A member named in GBK without zip's UTF-8 flag, as Alipay's archives are (zipfile itself
    writes non-ASCII names only as UTF-8)."""

    def _encodeFilenameFlags(self):  # noqa: N802 (zipfile's name)
        return self.filename.encode("gbk"), self.flag_bits


class Refused(Exception):
    pass


class FakeAlipay(BackgroundHTTPServer):
    def __init__(self, *, app_id, app_public_key, gateway_key):
        self.app_id = app_id
        self.app_public_key = app_public_key  # verifies our requests
        self.gateway_key = gateway_key  # signs answers and notifications
        self.trades = {}  # out_trade_no -> trade
        self.calls = []  # (method, biz_content) of every request that passed
        self.refused = []
        self.notify_urls = {}  # out_trade_no -> the notify_url its pay link named
        self.bills = {}  # bill_date -> rows (``bill_payment``/``bill_refund``)
        self.bill_errors = {}  # bill_date -> the answer instead
        self.bill_files = {}  # download token -> zip
        self.lock = threading.Lock()
        super().__init__()

    @property
    def url(self):
        return f"{self.root_url}/gateway.do"

    # --- requests -----------------------------------------------------------------------------

    def checked(self, params: dict) -> tuple[str, dict]:
        """(method, biz_content) of a request signed by our app; Refused otherwise."""
        sign = params.get("sign", "")
        if not rsa2_valid(self.app_public_key, signing_text(params), sign):
            raise Refused("isv.invalid-signature")
        if params.get("app_id") != self.app_id:
            raise Refused("isv.invalid-app-id")
        if (
            params.get("sign_type") != "RSA2"
            or params.get("charset") != "utf-8"
            or params.get("version") != "1.0"
        ):
            raise Refused("isv.invalid-parameter")
        if not TIMESTAMP.fullmatch(params.get("timestamp", "")):
            raise Refused("isv.invalid-timestamp")
        return params.get("method", ""), json.loads(params.get("biz_content") or "{}")

    def answer(self, method: str, body: dict) -> bytes:
        key = method.replace(".", "_") + "_response"
        content = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        return f'{{"{key}":{content},"sign":"{rsa2_sign(self.gateway_key, content)}"}}'.encode()

    def dispatch(self, method: str, biz: dict) -> dict:
        handler = getattr(self, "do_" + method.replace(".", "_"), None)
        if handler is None:
            return {"code": "40004", "msg": "Business Failed", "sub_code": "isv.invalid-method"}
        with self.lock:
            return handler(biz)

    def _trade(self, biz):
        return self.trades.get(biz.get("out_trade_no"))

    @staticmethod
    def _not_exist():
        return {
            "code": "40004",
            "msg": "Business Failed",
            "sub_code": "ACQ.TRADE_NOT_EXIST",
            "sub_msg": "交易不存在",
        }

    def do_alipay_trade_query(self, biz):
        trade = self._trade(biz)
        if trade is None:
            return self._not_exist()
        return {"code": "10000", "msg": "Success", **{k: v for k, v in trade.items() if k != "refunds"}}

    def do_alipay_trade_close(self, biz):
        trade = self._trade(biz)
        if trade is None:
            return self._not_exist()
        if trade["trade_status"] != "WAIT_BUYER_PAY":
            return {"code": "40004", "msg": "Business Failed", "sub_code": "ACQ.TRADE_STATUS_ERROR"}
        trade["trade_status"] = "TRADE_CLOSED"
        return {"code": "10000", "msg": "Success", "out_trade_no": trade["out_trade_no"]}

    def do_alipay_trade_refund(self, biz):
        trade = self._trade(biz)
        if trade is None:
            return self._not_exist()
        if trade["trade_status"] != "TRADE_SUCCESS":
            return {"code": "40004", "msg": "Business Failed", "sub_code": "ACQ.TRADE_STATUS_ERROR"}
        request_no = biz.get("out_request_no") or trade["out_trade_no"]
        amount = cents(biz["refund_amount"])
        base = {
            "code": "10000",
            "msg": "Success",
            "out_trade_no": trade["out_trade_no"],
            "trade_no": trade["trade_no"],
        }
        if request_no in trade["refunds"]:  # the same request again: nothing moves
            return {**base, "fund_change": "N", "refund_fee": yuan(sum(trade["refunds"].values()))}
        if sum(trade["refunds"].values()) + amount > cents(trade["total_amount"]):
            return {"code": "40004", "msg": "Business Failed", "sub_code": "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL"}
        trade["refunds"][request_no] = amount
        if sum(trade["refunds"].values()) == cents(trade["total_amount"]):
            trade["trade_status"] = "TRADE_CLOSED"
        return {**base, "fund_change": "Y", "refund_fee": yuan(sum(trade["refunds"].values()))}

    def do_alipay_trade_fastpay_refund_query(self, biz):
        trade = self._trade(biz)
        if trade is None:
            return self._not_exist()
        amount = trade["refunds"].get(biz.get("out_request_no"))
        if amount is None:
            return {"code": "10000", "msg": "Success", "out_trade_no": trade["out_trade_no"]}
        return {
            "code": "10000",
            "msg": "Success",
            "out_trade_no": trade["out_trade_no"],
            "out_request_no": biz["out_request_no"],
            "refund_amount": yuan(amount),
            "refund_status": "REFUND_SUCCESS",
        }

    # --- the daily bill (对账单) -----------------------------------------------------------------

    def bill_payment(self, day, out_trade_no, total_fen, *, time="10:00:00"):
        self.bills.setdefault(str(day), []).append(
            ("交易", "2026" + secrets.token_hex(12), out_trade_no, f"{day} {time}", total_fen, total_fen, "")
        )

    def bill_refund(self, day, out_trade_no, request_no, refund_fen, total_fen, *, time="11:00:00"):
        self.bills.setdefault(str(day), []).append(
            (
                "退款",
                "2026" + secrets.token_hex(12),
                out_trade_no,
                f"{day} {time}",
                total_fen,
                -refund_fen,
                request_no,
            )
        )

    def bill_zip(self, day) -> bytes:
        rows = self.bills.get(str(day), [])
        compact = str(day).replace("-", "")
        header = (
            "支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,终端号,"
            "对方账户,订单金额（元）,商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,"
            "商家优惠（元）,券核销金额（元）,券名称,商家红包消费金额（元）,卡消费金额（元）,"
            "退款批次号/请求号,服务费（元）,分润（元）,备注"
        )
        lines = [
            "#支付宝业务明细查询",
            "#账号：[20880000000000000156]",
            f"#起始日期：[{day} 00:00:00]   终止日期：[{day} 23:59:59]",
            "#-----------------------------------------业务明细列表----------------------------------------",
            header,
        ]
        for kind, trade_no, out_trade_no, at, total, received, request_no in rows:
            cells = [
                trade_no,
                out_trade_no,
                kind,
                "田园 Tianyuan",
                at,
                at,
                "",
                "",
                "",
                "",
                "lih***@example.com",
                yuan(total),
                f"{'-' if received < 0 else ''}{yuan(abs(received))}",
                "0.00",
                "0.00",
                "0.00",
                "0.00",
                "0.00",
                "",
                "0.00",
                "0.00",
                request_no,
                "0.00",
                "0.00",
                "",
            ]
            lines.append(",".join(cell + "\t" for cell in cells))  # Alipay pads its values with tabs
        paid = [r for r in rows if r[0] == "交易"]
        back = [r for r in rows if r[0] == "退款"]
        lines += [
            "#-----------------------------------------业务明细列表结束------------------------------------",
            f"#交易合计：{len(paid)}笔，商家实收共：{yuan(sum(r[5] for r in paid))}元，",
            f"#退款合计：{len(back)}笔，商家实收退款共：{yuan(-sum(r[5] for r in back))}元，",
            f"#导出时间：[{datetime.now():%Y-%m-%d %H:%M:%S}]",
        ]
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as bundle:
            # GBK names without zip's UTF-8 flag, as Alipay's archives are.
            for name, text in (
                (f"20880000000000000156_{compact}_业务明细.csv", "\r\n".join(lines)),
                (f"20880000000000000156_{compact}_业务明细(汇总).csv", "#支付宝业务汇总查询\r\n"),
            ):
                info = GbkZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
                bundle.writestr(info, text.encode("gbk"))
        return buffer.getvalue()

    def do_alipay_data_dataservice_bill_downloadurl_query(self, biz):
        day = biz.get("bill_date", "")
        if biz.get("bill_type") != "trade":
            return {"code": "40004", "msg": "Business Failed", "sub_code": "isp.bill_type_error"}
        if day in self.bill_errors:
            return self.bill_errors[day]
        if day not in self.bills:
            return {
                "code": "40004",
                "msg": "Business Failed",
                "sub_code": "isp.bill_not_exist",
                "sub_msg": "账单不存在",
            }
        token = secrets.token_hex(8)
        self.bill_files[token] = self.bill_zip(day)
        return {
            "code": "10000",
            "msg": "Success",
            "bill_download_url": f"{self.root_url}/bill/download?token={token}",
        }

    def handler_class(self):
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _handle(self, params):
                try:
                    method, biz = gateway.checked(params)
                except Refused as exc:
                    gateway.refused.append(str(exc))
                    body = json.dumps(
                        {
                            "error_response": {
                                "code": "40002",
                                "msg": "Invalid Arguments",
                                "sub_code": str(exc),
                            }
                        }
                    ).encode()
                else:
                    gateway.calls.append((method, biz))
                    body = gateway.answer(method, gateway.dispatch(method, biz))
                self.send_response(200)
                self.send_header("Content-Type", "text/html;charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):  # noqa: N802
                url = urlsplit(self.path)
                if url.path == "/bill/download":
                    content = gateway.bill_files.get(dict(parse_qsl(url.query)).get("token"), b"")
                    self.send_response(200 if content else 404)
                    self.send_header("Content-Type", "application/oct-stream")
                    self.send_header("Content-Length", str(len(content)))
                    self.end_headers()
                    return self.wfile.write(content)
                self._handle(dict(parse_qsl(urlsplit(self.path).query, keep_blank_values=True)))

            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                self._handle(dict(parse_qsl(self.rfile.read(length).decode(), keep_blank_values=True)))

        return Handler

    # --- the cashier and notifications ----------------------------------------------------------

    def open_link(self, url: str) -> dict:
        """What the cashier reads from a signed pay link (page or wap): Refused if it is not ours."""
        assert url.startswith(self.url + "?"), url
        params = dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
        method, biz = self.checked(params)
        if PAY_METHODS.get(method) != biz.get("product_code"):
            raise Refused("isv.invalid-method")
        return {"method": method, "biz": biz, "params": params}

    def pay(self, url: str, *, paid: str | None = None, status="TRADE_SUCCESS") -> dict:
        """The visitor pays at the cashier the link leads to; returns the notification Alipay posts.
        ``paid``: a trade amount other than the link's (a wrong-amount trade)."""
        link = self.open_link(url)
        biz = link["biz"]
        with self.lock:
            trade = self.trades.setdefault(
                biz["out_trade_no"],
                {
                    "out_trade_no": biz["out_trade_no"],
                    "trade_no": "2026" + secrets.token_hex(12),
                    "total_amount": paid or biz["total_amount"],
                    "trade_status": "WAIT_BUYER_PAY",
                    "buyer_logon_id": "lih***@example.com",
                    "refunds": {},
                },
            )
            trade["trade_status"] = status
            trade["send_pay_date"] = datetime.now().strftime("%Y-%m-%d %H:%M:%S")
            self.notify_urls[biz["out_trade_no"]] = link["params"].get("notify_url")
        return self.notification(trade["out_trade_no"])

    def refund_in_console(self, out_trade_no, amount_fen) -> dict:
        """Staff refund in Alipay's merchant console; returns the notification Alipay posts."""
        with self.lock:
            trade = self.trades[out_trade_no]
            request_no = "console" + secrets.token_hex(6)
            trade["refunds"][request_no] = amount_fen
            refunded = sum(trade["refunds"].values())
            if refunded == cents(trade["total_amount"]):
                trade["trade_status"] = "TRADE_CLOSED"
        return self.notification(
            out_trade_no,
            out_biz_no=request_no,
            refund_fee=yuan(refunded),
            gmt_refund=datetime.now().strftime("%Y-%m-%d %H:%M:%S.000"),
        )

    def notification(self, out_trade_no, **changes) -> dict:
        """The signed asynchronous notification of the trade as it stands (``changes`` applied
        to the fields before signing)."""
        trade = self.trades[out_trade_no]
        fields = {
            "notify_time": datetime.now().strftime("%Y-%m-%d %H:%M:%S"),
            "notify_type": "trade_status_sync",
            "notify_id": "2026" + secrets.token_hex(16),
            "app_id": self.app_id,
            "charset": "utf-8",
            "version": "1.0",
            "trade_no": trade["trade_no"],
            "out_trade_no": out_trade_no,
            "trade_status": trade["trade_status"],
            "total_amount": trade["total_amount"],
            "receipt_amount": trade["total_amount"],
            "buyer_logon_id": trade["buyer_logon_id"],
            "subject": "田园 Tianyuan",
            "gmt_payment": trade.get("send_pay_date", ""),
        }
        fields.update(changes)
        fields = {name: value for name, value in fields.items() if value != ""}
        fields["sign"] = rsa2_sign(self.gateway_key, signing_text(fields, leave_out=("sign", "sign_type")))
        fields["sign_type"] = "RSA2"
        return fields


def cents(amount: str) -> int:
    whole, _, part = amount.partition(".")
    return int(whole) * 100 + int(part.ljust(2, "0") or 0)


def yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"
