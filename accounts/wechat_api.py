"""One GET to WeChat's server API (``WECHAT_API_BASE``; tests: a local server), answered as JSON:
``sns/jscode2session`` for the mini-program's log-in, ``sns/oauth2/access_token`` for the openid
the WeChat Pay page needs (orders/payments/wechatpay_oauth.py). The callers read WeChat's
``errcode`` themselves; here only "no answer we can read" is an error."""

import json
import logging
import urllib.parse
import urllib.request

from django.conf import settings

logger = logging.getLogger(__name__)


class WeChatUnreachable(Exception):
    """WeChat did not answer, or not with a JSON object."""


def get_json(path: str, params: dict) -> dict:
    url = f"{settings.WECHAT_API_BASE.rstrip('/')}/{path.lstrip('/')}?{urllib.parse.urlencode(params)}"
    try:
        with urllib.request.urlopen(url, timeout=settings.WECHAT_API_TIMEOUT) as response:  # noqa: S310
            answer = json.loads(response.read())
    except (OSError, ValueError) as exc:
        # Never the URL or the body: the one holds an app secret, the other may hold a session key.
        logger.warning("WeChat %s failed: %s", path, type(exc).__name__)
        raise WeChatUnreachable() from None
    if not isinstance(answer, dict):
        raise WeChatUnreachable()
    return answer
