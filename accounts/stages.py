"""allauth's log-in stages, adapted (AccountAdapter.get_login_stages)."""

from allauth.account import app_settings
from allauth.account import stages as allauth_stages

EmailVerificationMethod = app_settings.EmailVerificationMethod


class EmailVerificationStage(allauth_stages.EmailVerificationStage):
    """E-mail accounts still log in only with a verified address (ACCOUNT_EMAIL_VERIFICATION is
    "optional" only because allauth insists on it when e-mail is optional at sign-up); an
    account with a verified mobile number needs none, and is sent the link to verify later."""

    def handle(self):
        user = self.login.user
        if user is not None and user.has_verified_phone:
            if self.login.email_verification == EmailVerificationMethod.MANDATORY:
                self.login.email_verification = EmailVerificationMethod.OPTIONAL
        elif self.login.email_verification == EmailVerificationMethod.OPTIONAL:
            self.login.email_verification = EmailVerificationMethod.MANDATORY
        return super().handle()
