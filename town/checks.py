"""System checks (``manage.py check``) of the base app's settings."""

from django.conf import settings
from django.core import checks

from .sms import ALIASES

# Sign-in by mobile number cannot work without it (accounts.phone_codes.CODE_TEMPLATE).
REQUIRED_TEMPLATES = ("verification_code",)


def _provider():
    name = getattr(settings, "SMS_BACKEND", "console")
    path = ALIASES.get(name, name)
    return {ALIASES["aliyun"]: "aliyun", ALIASES["tencent"]: "tencent"}.get(path)


@checks.register()
def check_sms_settings(app_configs, **kwargs):
    """A provider backend without its keys, signature or template codes sends nothing: a warning
    in development, an error with DEBUG off (production), so a deploy's ``migrate`` stops."""
    provider = _provider()
    if provider is None:
        return []
    from .sms_providers import REQUIRED_SETTINGS, template_problem

    level, prefix = (checks.Warning, "town.W") if settings.DEBUG else (checks.Error, "town.E")
    messages = []
    missing = [name for name in REQUIRED_SETTINGS[provider] if not getattr(settings, name, "")]
    if missing:
        messages.append(
            level(
                f"SMS_BACKEND is {provider!r} but {', '.join(missing)} not set: no text message can be sent.",
                hint="Set them in the environment (README, 'Text messages (SMS)').",
                id=f"{prefix}001",
            )
        )
    templates = settings.SMS_TEMPLATES
    problems = []
    if not isinstance(templates, dict):
        problems.append('SMS_TEMPLATES must be a JSON object: {"template name": ...}')
        templates = {}
    problems += [
        f"SMS_TEMPLATES has no template code for {name!r}"
        for name in REQUIRED_TEMPLATES
        if name not in templates
    ]
    for name, entry in templates.items():
        problem = template_problem(name, entry, ordered=provider == "tencent")
        if problem:
            problems.append(problem)
    hint = (
        'e.g. SMS_TEMPLATES=\'{"verification_code": '
        '{"code": "<template code>", "params": ["code", "minutes"]}}\''
    )
    messages += [level(problem, hint=hint, id=f"{prefix}002") for problem in problems]
    return messages
