"""A local fake of WeChat Pay's API v3, for the real ``wechatpayv3`` SDK to talk to in tests.

It implements what we use, as WeChat documents it: Native, H5 and JSAPI orders (JSAPI for our
Official Account's app id or the mini-program's, both bound to the merchant, with the payer's
openid), the order query, close, refunds and the refund query, and the trade bill
(``/v3/bill/tradebill`` then its download address: a GZIP of the CSV, with the SHA1 of the bill
before compression). Every request must carry a valid ``Authorization`` header signed with the
merchant's key (checked with our test public key: 401 SIGN_ERROR otherwise); every JSON answer is
signed with the platform's own test key (``Wechatpay-Signature``), which the SDK checks (the bill
file itself is not signed, as WeChat's is not). ``notification(...)`` builds a notification as
WeChat posts it: the resource encrypted with the APIv3 key (AEAD_AES_256_GCM) and the whole
signed with the platform key.
"""

import base64
import csv
import gzip
import hashlib
import io
import json
import re
import secrets
import threading
import time
import uuid
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .keys import new_key, private_pem, public_pem, rsa_sign, rsa_valid  # noqa: F401 (the tests' imports)

MCHID = "1900000109"
APPID = "wxd678efh567hg6787"
MINIPROGRAM_APPID = "wxminiprogram0001"  # the town's mini-program, also bound to the merchant
BOUND_APPIDS = {APPID, MINIPROGRAM_APPID}
APIV3_KEY = "0123456789abcdef0123456789ABCDEF"  # 32 bytes, as WeChat's  # noqa: S105
CERT_SERIAL_NO = "3775B6A45ACD588826D15E583A95F5DD"
PUBLIC_KEY_ID = "PUB_KEY_ID_0119000001092025010100000000000000"
AUTH_RE = re.compile(r'(\w+)="([^"]*)"')
BILL_HEADER = [
    "交易时间",
    "公众账号ID",
    "商户号",
    "特约商户号",
    "设备号",
    "微信订单号",
    "商户订单号",
    "用户标识",
    "交易类型",
    "交易状态",
    "付款银行",
    "货币种类",
    "应结订单金额",
    "代金券金额",
    "微信退款单号",
    "商户退款单号",
    "退款金额",
    "充值券退款金额",
    "退款类型",
    "退款状态",
    "商品名称",
    "商户数据包",
    "手续费",
    "费率",
    "订单金额",
    "申请退款金额",
    "费率备注",
]
BILL_SUMMARY_HEADER = [
    "总交易单数",
    "应结订单总金额",
    "退款总金额",
    "充值券退款总金额",
    "手续费总金额",
    "订单总金额",
    "申请退款总金额",
]


def yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def configure(settings, server):
    """Point our WeChat Pay settings at ``server``; our private key is its merchant key."""
    settings.WECHATPAY_MCHID = MCHID
    settings.WECHATPAY_APPID = APPID
    settings.WECHATPAY_APIV3_KEY = APIV3_KEY
    settings.WECHATPAY_CERT_SERIAL_NO = CERT_SERIAL_NO
    settings.WECHATPAY_PRIVATE_KEY = private_pem(server.merchant_key)
    settings.WECHATPAY_PUBLIC_KEY = public_pem(server.platform_key)
    settings.WECHATPAY_PUBLIC_KEY_ID = PUBLIC_KEY_ID
    settings.WECHATPAY_CERT_DIR = ""
    settings.WECHATPAY_BASE_URL = server.url
    settings.WECHATPAY_NOTIFY_URL = "https://tianyuan.example/payments/wechatpay/notify/"


def signed_headers(key, body: str, serial=PUBLIC_KEY_ID, timestamp=None) -> dict:
    """WeChat's signature headers over ``timestamp\\nnonce\\nbody\\n``."""
    timestamp = str(int(time.time()) if timestamp is None else timestamp)
    nonce = secrets.token_hex(16)
    return {
        "Wechatpay-Timestamp": timestamp,
        "Wechatpay-Nonce": nonce,
        "Wechatpay-Signature": rsa_sign(key, f"{timestamp}\n{nonce}\n{body}\n"),
        "Wechatpay-Serial": serial,
        "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048",
    }


def encrypt_resource(resource: dict, associated_data: str, apiv3_key=APIV3_KEY) -> dict:
    nonce = secrets.token_hex(6)  # 12 characters, as WeChat's
    ciphertext = AESGCM(apiv3_key.encode()).encrypt(
        nonce.encode(), json.dumps(resource).encode(), associated_data.encode()
    )
    return {
        "algorithm": "AEAD_AES_256_GCM",
        "ciphertext": base64.b64encode(ciphertext).decode(),
        "associated_data": associated_data,
        "original_type": associated_data,
        "nonce": nonce,
    }


def now_rfc3339() -> str:
    return datetime.now(UTC).astimezone().isoformat(timespec="seconds")


class FakeWechatPay:
    """The fake's state and the helpers tests drive it with."""

    def __init__(self):
        self.merchant_key = new_key()  # ours: the fake knows only its public half
        self.platform_key = new_key()  # WeChat's: signs answers and notifications
        self.trades: dict[str, dict] = {}
        self.refunds: dict[str, dict] = {}
        self.requests: list[tuple[str, str]] = []
        self.bills: dict[str, list[dict]] = {}  # bill_date -> rows (``bill_payment``/``bill_refund``)
        self.bill_errors: dict[str, tuple[int, dict]] = {}  # bill_date -> the answer instead
        self.bill_files: dict[str, bytes] = {}  # download token -> the gzipped bill
        self.refused: list[str] = []  # requests whose signature did not check out
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    # --- running -----------------------------------------------------------------------------

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def reset(self):
        with self.lock:
            self.trades.clear()
            self.refunds.clear()
            self.requests.clear()
            self.refused.clear()
            self.bills.clear()
            self.bill_errors.clear()
            self.bill_files.clear()

    # --- what WeChat does on its side --------------------------------------------------------

    def pay(self, out_trade_no, *, payer_total=None):
        """The visitor pays the order in WeChat (``payer_total``: what WeChat says was paid)."""
        with self.lock:
            trade = self.trades[out_trade_no]
            trade["trade_state"] = "SUCCESS"
            trade["trade_state_desc"] = "支付成功"
            trade["transaction_id"] = "4200" + secrets.token_hex(12)
            trade["success_time"] = now_rfc3339()
            if payer_total is not None:
                trade["amount"]["total"] = trade["amount"]["payer_total"] = payer_total
            return dict(trade)

    def finish_refund(self, out_refund_no, status="SUCCESS"):
        with self.lock:
            refund = self.refunds[out_refund_no]
            refund["status"] = status
            refund["success_time"] = now_rfc3339()
            return dict(refund)

    def notification(self, event_type, resource: dict, *, notification_id=None, key=None, timestamp=None):
        """A notification as WeChat posts it: (headers, body), signed with ``key`` (the platform's)."""
        kind = "transaction" if event_type.startswith("TRANSACTION") else "refund"
        body = json.dumps(
            {
                "id": notification_id or str(uuid.uuid4()),
                "create_time": now_rfc3339(),
                "resource_type": "encrypt-resource",
                "event_type": event_type,
                "summary": "支付成功" if kind == "transaction" else "退款成功",
                "resource": encrypt_resource(resource, kind),
            },
            ensure_ascii=False,
        )
        return signed_headers(key or self.platform_key, body, timestamp=timestamp), body

    def paid_notification(self, out_trade_no, **kwargs):
        trade = self.trades[out_trade_no]
        return self.notification("TRANSACTION.SUCCESS", trade, **kwargs)

    def refund_notification(self, out_refund_no, **kwargs):
        refund = self.refunds[out_refund_no]
        resource = {
            "mchid": MCHID,
            "out_trade_no": refund["out_trade_no"],
            "transaction_id": refund["transaction_id"],
            "out_refund_no": out_refund_no,
            "refund_id": refund["refund_id"],
            "refund_status": refund["status"],
            "amount": {k: refund["amount"][k] for k in ("total", "refund", "payer_total", "payer_refund")},
        }
        return self.notification(f"REFUND.{refund['status']}", resource, **kwargs)

    # --- the trade bill (交易账单) -------------------------------------------------------------------

    def bill_payment(self, day, out_trade_no, total_fen, *, time="10:00:00", transaction_id=None):
        """A paid order on the bill of ``day`` (trade time ``time``, Beijing)."""
        self.bills.setdefault(str(day), []).append(
            {
                "time": f"{day} {time}",
                "transaction_id": transaction_id or "4200" + secrets.token_hex(12),
                "out_trade_no": out_trade_no,
                "state": "SUCCESS",
                "total": total_fen,
            }
        )

    def bill_refund(self, day, out_trade_no, out_refund_no, refund_fen, total_fen, *, time="11:00:00"):
        self.bills.setdefault(str(day), []).append(
            {
                "time": f"{day} {time}",
                "transaction_id": "4200" + secrets.token_hex(12),
                "out_trade_no": out_trade_no,
                "state": "REFUND",
                "total": total_fen,
                "refund_id": "5030" + secrets.token_hex(12),
                "out_refund_no": out_refund_no,
                "refund": refund_fen,
            }
        )

    def bill_text(self, day) -> str:
        """The ALL bill as WeChat writes it: every value prefixed with a backtick, then the summary."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(BILL_HEADER)
        rows = self.bills.get(str(day), [])
        for row in rows:
            refund = row["state"] == "REFUND"
            cells = [
                row["time"],
                APPID,
                MCHID,
                "0",
                "",
                row["transaction_id"],
                row["out_trade_no"],
                "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
                "NATIVE",
                row["state"],
                "OTHERS",
                "CNY",
                "0.00" if refund else yuan(row["total"]),
                "0.00",
                row.get("refund_id", "0"),
                row.get("out_refund_no", "0"),
                yuan(row.get("refund", 0)),
                "0.00",
                "ORIGINAL" if refund else "",
                "SUCCESS" if refund else "",
                "田园 Tianyuan",
                "",
                "0.00000" if refund else f"{row['total'] * 6 / 100_000:.5f}",
                "0.60%",
                "0.00" if refund else yuan(row["total"]),
                yuan(row.get("refund", 0)),
                "",
            ]
            writer.writerow(["`" + cell for cell in cells])
        writer.writerow(BILL_SUMMARY_HEADER)
        settled = sum(r["total"] for r in rows if r["state"] == "SUCCESS")
        refunded = sum(r.get("refund", 0) for r in rows)
        writer.writerow(
            [
                "`" + cell
                for cell in (
                    str(len(rows)),
                    yuan(settled),
                    yuan(refunded),
                    "0.00",
                    "0.00000",
                    yuan(settled),
                    yuan(refunded),
                )
            ]
        )
        return out.getvalue()

    def _trade_bill(self, query):
        day = query.get("bill_date", [""])[0]
        if query.get("tar_type", ["GZIP"])[0] != "GZIP" or query.get("bill_type", ["ALL"])[0] != "ALL":
            return 400, {"code": "PARAM_ERROR", "message": "参数错误"}
        if day in self.bill_errors:
            return self.bill_errors[day]
        if day not in self.bills:
            return 400, {"code": "NO_STATEMENT_EXIST", "message": "账单文件不存在"}
        raw = self.bill_text(day).encode("utf-8")
        token = secrets.token_hex(8)
        self.bill_files[token] = gzip.compress(raw)
        return 200, {
            "hash_type": "SHA1",
            "hash_value": hashlib.sha1(raw, usedforsecurity=False).hexdigest(),
            "download_url": f"{self.url}/v3/billdownload/file?token={token}",
        }

    # --- the HTTP side -----------------------------------------------------------------------

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                self._serve("GET")

            def do_POST(self):
                self._serve("POST")

            def _serve(self, method):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                fake.requests.append((method, self.path))
                if not fake._signed_by_merchant(
                    method, self.path, body, self.headers.get("Authorization", "")
                ):
                    fake.refused.append(self.path)
                    return self._answer(401, {"code": "SIGN_ERROR", "message": "签名错误"})
                url = urlsplit(self.path)
                if method == "GET" and url.path == "/v3/billdownload/file":
                    # The file itself, not JSON and (as WeChat's) not signed.
                    content = fake.bill_files.get(parse_qs(url.query).get("token", [""])[0])
                    if content is None:
                        return self._answer(404, {"code": "RESOURCE_NOT_EXISTS", "message": "文件不存在"})
                    self.send_response(200)
                    self.send_header("Content-Type", "application/octet-stream")
                    self.send_header("Content-Length", str(len(content)))
                    self.end_headers()
                    return self.wfile.write(content)
                data = json.loads(body) if body else {}
                with fake.lock:
                    if method == "GET" and url.path == "/v3/bill/tradebill":
                        status, answer = fake._trade_bill(parse_qs(url.query))
                    else:
                        status, answer = fake._route(method, url.path, data)
                self._answer(status, answer)

            def _answer(self, status, answer):
                body = "" if answer is None else json.dumps(answer, ensure_ascii=False)
                raw = body.encode()
                self.send_response(status)
                for name, value in signed_headers(fake.platform_key, body).items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

        return Handler

    def _signed_by_merchant(self, method, path, body, authorization) -> bool:
        scheme, _space, params = authorization.partition(" ")
        fields = dict(AUTH_RE.findall(params))
        if scheme != "WECHATPAY2-SHA256-RSA2048" or fields.get("mchid") != MCHID:
            return False
        if fields.get("serial_no") != CERT_SERIAL_NO:
            return False
        message = f"{method}\n{path}\n{fields.get('timestamp')}\n{fields.get('nonce_str')}\n{body}\n"
        return rsa_valid(self.merchant_key.public_key(), message, fields.get("signature", ""))

    def _route(self, method, path, data):
        parts = path.strip("/").split("/")
        if method == "POST" and path in (
            "/v3/pay/transactions/native",
            "/v3/pay/transactions/h5",
            "/v3/pay/transactions/jsapi",
        ):
            return self._create(parts[-1], data)
        if method == "GET" and path.startswith("/v3/pay/transactions/out-trade-no/"):
            trade = self.trades.get(parts[4])
            if trade is None:
                return 404, {"code": "ORDER_NOT_EXIST", "message": "订单不存在"}
            return 200, {k: v for k, v in trade.items() if k not in ("notify_url", "description")}
        if (
            method == "POST"
            and path.startswith("/v3/pay/transactions/out-trade-no/")
            and path.endswith("/close")
        ):
            trade = self.trades.get(parts[4])
            if trade is None:
                return 404, {"code": "ORDER_NOT_EXIST", "message": "订单不存在"}
            if trade["trade_state"] in ("SUCCESS", "REFUND"):
                return 400, {"code": "ORDERPAID", "message": "订单已支付"}
            trade["trade_state"] = "CLOSED"
            return 204, None
        if method == "POST" and path == "/v3/refund/domestic/refunds":
            return self._refund(data)
        if method == "GET" and path.startswith("/v3/refund/domestic/refunds/"):
            refund = self.refunds.get(parts[-1])
            if refund is None:
                return 404, {"code": "RESOURCE_NOT_EXISTS", "message": "退款单不存在"}
            return 200, refund
        return 404, {"code": "NOT_FOUND", "message": path}

    def _create(self, kind, data):
        required = ("appid", "mchid", "description", "out_trade_no", "notify_url", "amount")
        if any(not data.get(name) for name in required) or data["mchid"] != MCHID:
            return 400, {"code": "PARAM_ERROR", "message": "参数错误"}
        if data["appid"] not in BOUND_APPIDS or (kind != "jsapi" and data["appid"] != APPID):
            return 400, {"code": "APPID_MCHID_NOT_MATCH", "message": "appid和mch_id不匹配"}
        if kind == "jsapi" and not (data.get("payer") or {}).get("openid"):
            return 400, {"code": "PARAM_ERROR", "message": "缺少 payer.openid"}
        if kind == "h5" and not (data.get("scene_info") or {}).get("payer_client_ip"):
            return 400, {"code": "PARAM_ERROR", "message": "缺少 payer_client_ip"}
        amount = data["amount"]
        if (
            not isinstance(amount.get("total"), int)
            or amount["total"] <= 0
            or amount.get("currency", "CNY") != "CNY"
        ):
            return 400, {"code": "PARAM_ERROR", "message": "金额错误"}
        trade = self.trades.get(data["out_trade_no"])
        if trade is not None:
            if trade["amount"]["total"] != amount["total"]:
                return 400, {"code": "INVALID_REQUEST", "message": "201 商户订单号重复"}
            if trade["trade_state"] in ("SUCCESS", "REFUND"):
                return 400, {"code": "ORDERPAID", "message": "该订单已支付"}
        else:
            trade = self.trades[data["out_trade_no"]] = {
                "appid": data["appid"],
                "mchid": MCHID,
                "out_trade_no": data["out_trade_no"],
                "trade_type": {"native": "NATIVE", "h5": "MWEB", "jsapi": "JSAPI"}[kind],
                "trade_state": "NOTPAY",
                "trade_state_desc": "未支付",
                "amount": {
                    "total": amount["total"],
                    "currency": "CNY",
                    "payer_total": 0,
                    "payer_currency": "CNY",
                },
                "description": data["description"],
                "notify_url": data["notify_url"],
                "time_expire": data.get("time_expire"),
                "code": secrets.token_hex(8),
            }
        if kind == "jsapi":
            # One kind of order per out_trade_no, with the same payer and app (WeChat: "201").
            if trade["trade_type"] != "JSAPI" or trade.get("payer", data["payer"]) != data["payer"]:
                return 400, {"code": "INVALID_REQUEST", "message": "201 商户订单号重复"}
            if trade["appid"] != data["appid"]:
                return 400, {"code": "INVALID_REQUEST", "message": "201 商户订单号重复"}
            trade["payer"] = data["payer"]
            trade["prepay_id"] = f"wx{trade['code']}"
            return 200, {"prepay_id": trade["prepay_id"]}
        if kind == "native":
            return 200, {"code_url": f"weixin://wxpay/bizpayurl?pr={trade['code']}"}
        return 200, {
            "h5_url": f"https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=wx{trade['code']}"
        }

    def _refund(self, data):
        trade = self.trades.get(data.get("out_trade_no"))
        if trade is None:
            return 404, {"code": "RESOURCE_NOT_EXISTS", "message": "订单不存在"}
        if trade["trade_state"] not in ("SUCCESS", "REFUND"):
            return 400, {"code": "INVALID_REQUEST", "message": "订单未支付"}
        existing = self.refunds.get(data.get("out_refund_no"))
        if existing is not None:
            return 200, existing  # the same out_refund_no refunds once
        amount = data.get("amount") or {}
        refunded = sum(
            r["amount"]["refund"] for r in self.refunds.values() if r["out_trade_no"] == trade["out_trade_no"]
        )
        if amount.get("total") != trade["amount"]["total"] or not isinstance(amount.get("refund"), int):
            return 400, {"code": "PARAM_ERROR", "message": "订单金额或退款金额与之前请求不一致"}
        if amount["refund"] <= 0 or refunded + amount["refund"] > trade["amount"]["total"]:
            return 403, {"code": "NOT_ENOUGH", "message": "退款金额超过可退金额"}
        refund = self.refunds[data["out_refund_no"]] = {
            "refund_id": "5030" + secrets.token_hex(12),
            "out_refund_no": data["out_refund_no"],
            "transaction_id": trade["transaction_id"],
            "out_trade_no": trade["out_trade_no"],
            "channel": "ORIGINAL",
            "user_received_account": "支付用户零钱",
            "create_time": now_rfc3339(),
            "status": "PROCESSING",
            "funds_account": "AVAILABLE",
            "amount": {
                "total": trade["amount"]["total"],
                "refund": amount["refund"],
                "payer_total": trade["amount"]["total"],
                "payer_refund": amount["refund"],
                "settlement_refund": amount["refund"],
                "settlement_total": trade["amount"]["total"],
                "discount_refund": 0,
                "currency": "CNY",
            },
        }
        trade["trade_state"] = "REFUND"
        return 200, refund
