from __future__ import annotations

from django.urls import path
from rest_framework_simplejwt.views import TokenRefreshView, TokenVerifyView

from swingtrade.accounts.api import views

urlpatterns = [
    path("auth/token/", views.TokenObtainView.as_view(), name="auth-token-obtain"),
    path("auth/token/refresh/", TokenRefreshView.as_view(), name="auth-token-refresh"),
    path("auth/token/verify/", TokenVerifyView.as_view(), name="auth-token-verify"),
    path("auth/logout/", views.LogoutView.as_view(), name="auth-logout"),
    path("auth/signup/", views.SignUpView.as_view(), name="auth-signup"),
    path("auth/me/", views.MeView.as_view(), name="auth-me"),
]
