"""How a notice reaches a person: by text message, by e-mail, or both.

Every app that tells someone something (orders, the farmer dashboard) asks ``channels_for``
which way to go, and sends its SMS through ``send_notice_sms``, so the rule lives here only:

* SMS when they chose it (the default) and have a verified mobile number — never to a number
  nobody proved is theirs, or a typo would text a stranger;
* e-mail when they chose it (the default) and have an address;
* nobody with a way to be reached is left unreached: with neither chosen way possible (both
  turned off, or the chosen one missing), the verified number is used, else the address.

Hosts and farmers get SMS by default like everyone with a verified number (issue 15: new-order
e-mails go unseen by farmers); they may add or drop e-mail on their account page.
"""

from dataclasses import dataclass

from django.utils import translation

from town.sms import send_sms


@dataclass(frozen=True)
class Channels:
    sms: str = ""  # the E.164 number to text, or ""
    email: str = ""  # the address to write to, or ""

    def __bool__(self):
        return bool(self.sms or self.email)


def channels_for(user) -> Channels:
    if user is None:
        return Channels()
    phone = user.phone_number if user.has_verified_phone else ""
    email = user.email or ""
    chosen = Channels(
        sms=phone if user.notify_by_sms else "",
        email=email if user.notify_by_email else "",
    )
    if chosen:
        return chosen
    return Channels(sms=phone) if phone else Channels(email=email)


def send_notice_sms(phone, template, text, params, *, language):
    """Text ``text`` (a translated string with ``%(name)s`` placeholders) to ``phone``, filled with
    ``params`` in ``language``; ``template`` and ``params`` are what a provider's approved template
    (SMS_TEMPLATES) is filled with. Queued after the current transaction commits."""
    with translation.override(language):
        body = str(text) % {key: str(value) for key, value in params.items()}
    send_sms(phone, body, template=template, params=params)
