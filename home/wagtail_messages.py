"""Wagtail admin strings its Chinese catalogue lacks, which Chinese staff saw in English ("84
Pages" on the dashboard, "The 商品 … has been submitted" in moderation e-mails). Listed here so
that ``makemessages`` keeps them in our catalogue (site/locale), which Django reads before
Wagtail's; never imported. Drop an entry once Wagtail's own catalogue translates it."""

from django.utils.translation import gettext_noop, ngettext_lazy

WAGTAIL_ADMIN_MESSAGES = (
    # wagtailadmin/home/site_summary_pages.html
    ngettext_lazy(
        '%(total)s Page <span class="w-sr-only">created in %(site_name)s</span>',
        '%(total)s Pages <span class="w-sr-only">created in %(site_name)s</span>',
        "total",
    ),
    # wagtailadmin/notifications/task_state_submitted*.{html,txt}
    gettext_noop(
        'The %(model_name)s "%(title)s" has been submitted for approval in moderation stage "%(task)s".'
    ),
    gettext_noop(
        'The %(model_name)s "%(title)s" has been submitted for approval to moderation stage "%(task)s".'
    ),
    gettext_noop(
        'The %(model_name)s "%(title)s" has been submitted for approval in moderation stage "%(task)s"'
    ),
    # wagtailadmin/notifications/workflow_state_submitted*.{html,txt}
    gettext_noop(
        'The %(model_name)s "%(title)s" has been submitted for moderation to workflow "%(workflow)s" '
        "by %(requester)s."
    ),
    gettext_noop(
        'The %(model_name)s "%(title)s" has been submitted for moderation to workflow "%(workflow)s".'
    ),
    gettext_noop('The %(model_name)s "%(title)s" has been submitted to workflow "%(workflow)s"'),
    gettext_noop("You can edit the %(model_name)s here:"),
)
