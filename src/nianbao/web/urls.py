from django.contrib import admin
from django.urls import include, path

from nianbao.web.views import api, audit, auth, city, review, school

urlpatterns = [
    path("", school.home, name="home"),
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.logout_view, name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("s/<int:pk>/", school.submission, name="submission"),
    path("s/<int:pk>/sheet/<slug:sheet_id>/", school.save_sheet, name="save_sheet"),
    path("s/<int:pk>/submit/", school.submit, name="submit"),
    path("s/<int:pk>/workbook.xlsx", school.download_workbook, name="workbook"),
    path("s/<int:pk>/upload/", school.upload, name="upload"),
    path("s/<int:pk>/uploads/<uuid:upload_id>/annotated.xlsx", school.annotated, name="annotated"),
    path("s/<int:pk>/review/", review.review, name="review"),
    path("s/<int:pk>/act/<slug:name>/", review.act, name="act"),
    path("s/<int:pk>/history/<path:code>/", audit.field_history, name="field_history"),
    path("s/<int:pk>/audit.xlsx", audit.submission_trail, name="submission_trail"),
    path("org/<str:code>/school/", review.open_school, name="open_school"),
    path("county/<str:code>/", review.county, name="county"),
    path("city/<str:code>/", city.city, name="city"),
    path("city/<str:code>/report/", city.build_report, name="build_report"),
    path("city/<str:code>/report/<uuid:job>/", city.report_job, name="report_job"),
    path("city/<str:code>/report/<uuid:job>/<str:name>", city.report_file, name="report_file"),
    path("province/<str:code>/", city.province, name="province"),
    path("org/<str:code>/audit.xlsx", audit.org_trail, name="org_trail"),
    path("api/submissions/<int:pk>/values", api.values, name="api_values"),
    path("admin/", admin.site.urls),
]
