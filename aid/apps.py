from django.apps import AppConfig


class AidConfig(AppConfig):
    name = "aid"
