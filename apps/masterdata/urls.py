app_name = "masterdata"

urlpatterns: list = []
