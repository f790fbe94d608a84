from __future__ import annotations

from django.urls import include, path

from mlcore.api import views

urlpatterns = [
    path("rankings/", views.RankingView.as_view(), name="mlcore-rankings"),
    path("models/", views.ModelVersionListView.as_view(), name="mlcore-model-list"),
    path("models/train/", views.TrainView.as_view(), name="mlcore-train"),
    path("models/train/<int:pk>/", views.TrainingJobView.as_view(), name="mlcore-training-job"),
    path("models/rollback/", views.ModelRollbackView.as_view(), name="mlcore-rollback"),
    path("models/<int:pk>/", views.ModelVersionDetailView.as_view(), name="mlcore-model-detail"),
    path("models/<int:pk>/promote/", views.ModelPromoteView.as_view(), name="mlcore-model-promote"),
    path("", include("mlcore.monitoring.api.urls")),  # monitoring, alerts, gate
]
