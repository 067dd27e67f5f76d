"""Our account pages; included at /accounts/ before allauth's, inside the language prefixes."""

from allauth.socialaccount import views as social_views
from allauth.socialaccount.providers.weixin import views as weixin_views
from django.urls import path

from . import views
from .social import wechat_required

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="account_login"),
    path("profile/", views.profile, name="account_profile"),
    path("devices/<int:token_id>/sign-out/", views.sign_out_device, name="account_sign_out_device"),
    # allauth's WeChat pages at allauth's addresses, answering 404 while WeChat is not configured.
    path("weixin/login/", wechat_required(weixin_views.oauth2_login), name="weixin_login"),
    path("weixin/login/callback/", wechat_required(weixin_views.oauth2_callback), name="weixin_callback"),
    path("3rdparty/", wechat_required(social_views.connections), name="socialaccount_connections"),
    path("3rdparty/signup/", wechat_required(views.SocialSignupView.as_view()), name="socialaccount_signup"),
    path("profile/notices/", views.notice_channels, name="account_notice_channels"),
    path("profile/my-data.json", views.download_data, name="account_download_data"),
    path("profile/delete/", views.delete_account, name="account_delete"),
]
