from . import views

app_name = "prevention"
urlpatterns = views.urlpatterns
