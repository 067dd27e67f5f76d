"""A local stand-in for WeChat's OAuth API (api.weixin.qq.com), for allauth's real "weixin"
provider and for the WeChat Pay page's silent authorisation in our Official Account
(orders/payments/wechatpay_oauth.py; WECHAT_API_BASE points both here). It answers as WeChat
documents it: the access token for a log-in code given with the website app's id and secret,
then the user's info for that token and openid; errors as HTTP 200 with {"errcode", "errmsg"};
JSON as raw UTF-8 text/plain, which is what allauth's nickname decoding is written for."""

import http.server
import json
import secrets
import threading
from urllib.parse import parse_qs, urlencode, urlsplit

APP_ID = "wx0123456789abcdef"
APP_SECRET = "test-wechat-secret"  # noqa: S105


class WeChatServer:
    def __init__(self):
        # What a scan in WeChat would have made: log-in code -> the user's info (openid, nickname...).
        self.codes = {}
        self.tokens = {}
        # The apps WeChat knows: app id -> secret (the website app; tests add an Official Account).
        self.apps = {APP_ID: APP_SECRET}
        self.requests = []  # (method, path, params) of every call, for the tests to read
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.answer()

            def do_POST(self):
                self.answer()

            def answer(self):
                url = urlsplit(self.path)
                params = {k: v[0] for k, v in parse_qs(url.query).items()}
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    params.update({k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()})
                server.requests.append((self.command, url.path, params))
                if url.path == "/connect/oauth2/authorize":
                    # Inside WeChat, snsapi_base asks nothing: straight back with a code.
                    self.send_response(302)
                    self.send_header("Location", server.authorize(params))
                    self.end_headers()
                    return
                if url.path == "/sns/oauth2/access_token":
                    body = server.access_token(params)
                elif url.path == "/sns/userinfo":
                    body = server.userinfo(params)
                else:
                    self.send_response(404)
                    self.end_headers()
                    return
                data = json.dumps(body, ensure_ascii=False).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_port}"

    def scan(self, openid, nickname="桃花妹", *, appid=APP_ID, scope="snsapi_login", **info):
        """A visitor scans the QR code and agrees in WeChat (or, inside WeChat, opens a page of the
        Official Account ``appid`` with scope snsapi_base): WeChat hands out a one-time code."""
        code = secrets.token_hex(8)
        self.codes[code] = {
            "openid": openid,
            "nickname": nickname,
            "unionid": f"u-{openid}",
            "appid": appid,
            "scope": scope,
            **info,
        }
        return code

    def authorize(self, params, openid="o-oa-visitor"):
        """Where WeChat's browser goes back to after a silent authorisation (snsapi_base): the
        ``redirect_uri`` with a code for ``openid`` and the ``state`` as given."""
        code = self.scan(openid, appid=params.get("appid"), scope=params.get("scope", ""))
        query = urlencode({"code": code, "state": params.get("state", "")})
        return f"{params['redirect_uri']}{'&' if '?' in params['redirect_uri'] else '?'}{query}"

    def access_token(self, params):
        if params.get("appid") not in self.apps or params.get("secret") != self.apps[params["appid"]]:
            return {"errcode": 40125, "errmsg": "invalid appsecret"}
        if params.get("grant_type") != "authorization_code":
            return {"errcode": 40002, "errmsg": "invalid grant_type"}
        user = self.codes.pop(params.get("code"), None)  # a code works once, for its own app
        if user is None or user["appid"] != params["appid"]:
            return {"errcode": 40029, "errmsg": "invalid code"}
        token = secrets.token_hex(16)
        self.tokens[token] = user
        return {
            "access_token": token,
            "expires_in": 7200,
            "refresh_token": secrets.token_hex(16),
            "openid": user["openid"],
            "scope": user["scope"],
            "unionid": user["unionid"],
        }

    def userinfo(self, params):
        user = self.tokens.get(params.get("access_token"))
        if user is None or user.get("userinfo_error"):
            return {"errcode": 40001, "errmsg": "invalid credential, access_token is invalid or not latest"}
        if params.get("openid") != user["openid"]:
            return {"errcode": 40003, "errmsg": "invalid openid"}
        return {
            "openid": user["openid"],
            "nickname": user["nickname"],
            "sex": 0,
            "province": "",
            "city": "",
            "country": "CN",
            "headimgurl": "",
            "privilege": [],
            "unionid": user["unionid"],
        }

    def close(self):
        self.server.shutdown()
        self.server.server_close()
