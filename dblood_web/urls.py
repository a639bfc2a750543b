from django.urls import path

from .views import account, donor, public

urlpatterns = [
    path("", public.home, name="home"),
    path("healthz", public.healthz, name="healthz"),
    path("drives/", public.drives, name="drives"),
    path("blood-banks/", public.sites, name="sites"),
    path("blood-banks/<int:site_id>/", public.site_detail, name="site"),
    path("signup/", account.signup, name="signup"),
    path("login/", account.login, name="login"),
    path("logout/", account.logout, name="logout"),
    path("language/", account.language, name="language"),
    path("password-reset/", account.password_reset, name="password_reset"),
    # The api's reset email links here: {WEB_BASE_URL}/password-reset/<uid>/<token>/
    path("password-reset/<str:uid>/<str:token>/", account.password_reset_confirm, name="password_reset_confirm"),
    path("account/", account.account, name="account"),
    path("account/password/", account.password_change, name="password_change"),
    path("me/eligibility/", donor.eligibility, name="eligibility"),
    path("me/appointments/", donor.appointments, name="appointments"),
    path("me/appointments/book/", donor.appointment_book, name="appointment_book"),
    path("me/appointments/<int:appointment_id>/cancel/", donor.appointment_cancel, name="appointment_cancel"),
    path(
        "me/appointments/<int:appointment_id>/reschedule/", donor.appointment_reschedule, name="appointment_reschedule"
    ),
    path("me/appointments/<int:appointment_id>.ics", donor.appointment_ics, name="appointment_ics"),
    path("me/donations/", donor.donations, name="donations"),
    path("me/notifications/", donor.notifications, name="notifications"),
    path("me/card/", donor.card, name="card"),
]

handler403 = "dblood_web.views.public.permission_denied"
handler404 = "dblood_web.views.public.page_not_found"
handler500 = "dblood_web.views.public.server_error"
