from django_tasks import task

from . import services


@task()
def return_unsold_stock():
    """Give back to the shop what ended sessions did not sell (``services.return_unsold``)."""
    return services.return_unsold()
