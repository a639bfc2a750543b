from django.conf import settings
from django.conf.urls.static import static
from django.urls import path

from .views import (
    account,
    appointments,
    bloodrequests,
    deferrals,
    donor,
    haemovigilance,
    homes,
    hospital,
    public,
    returns,
    site_photo,
    staff,
    units,
    walkins,
)

urlpatterns = [
    path("", public.home, name="home"),
    path("healthz", public.healthz, name="healthz"),
    path("drives/", public.drives, name="drives"),
    path("blood-banks/", public.sites, name="sites"),
    path("blood-banks/<int:site_id>/", public.site_detail, name="site"),
    path("blood-banks/<int:site_id>/photo/", site_photo.site_photo, name="site_photo"),
    path("signup/", account.signup, name="signup"),
    # The api's sign-up email links here: {WEB_BASE_URL}/signup/confirm/<token>/
    path("signup/confirm/<str:token>/", account.signup_confirm, name="signup_confirm"),
    path("login/", account.login, name="login"),
    path("logout/", account.logout, name="logout"),
    path("language/", account.language, name="language"),
    path("password-reset/", account.password_reset, name="password_reset"),
    # The api's reset email links here: {WEB_BASE_URL}/password-reset/<uid>/<token>/
    path("password-reset/<str:uid>/<str:token>/", account.password_reset_confirm, name="password_reset_confirm"),
    path("home/", homes.home, name="my_home"),
    path("account/", account.account, name="account"),
    path("account/password/", account.password_change, name="password_change"),
    path("me/", donor.profile, name="donor_profile"),
    path("me/eligibility/", donor.eligibility, name="eligibility"),
    path("me/appointments/", appointments.appointment_list, name="appointments"),
    path("me/appointments/book/", appointments.appointment_book, name="appointment_book"),
    path("me/appointments/<int:appointment_id>/cancel/", appointments.appointment_cancel, name="appointment_cancel"),
    path(
        "me/appointments/<int:appointment_id>/reschedule/",
        appointments.appointment_reschedule,
        name="appointment_reschedule",
    ),
    path("me/appointments/<int:appointment_id>.ics", appointments.appointment_ics, name="appointment_ics"),
    path("me/appointments/<int:appointment_id>/questions/", appointments.questionnaire, name="questionnaire"),
    path("me/donations/", donor.donations, name="donations"),
    path("me/notifications/", donor.notifications, name="notifications"),
    path("me/notifications/<int:notification_id>/read/", donor.notification_read, name="notification_read"),
    path("me/call-outs/", donor.call_outs, name="call_outs"),
    path("me/call-outs/<int:call_out_id>/answer/", donor.call_out_answer, name="call_out_answer"),
    path("me/card/", donor.card, name="card"),
    path("staff/", homes.staff_home, name="staff_home"),
    path("staff/drives/new/", staff.drive_new, name="staff_drive_new"),
    path("staff/drives/<int:drive_id>/", staff.drive_detail, name="staff_drive"),
    path("staff/drives/<int:drive_id>/edit/", staff.drive_edit, name="staff_drive_edit"),
    path("staff/drives/<int:drive_id>/cancel/", staff.drive_cancel, name="staff_drive_cancel"),
    path("staff/drives/<int:drive_id>/walk-in/", walkins.walk_in, name="staff_walk_in"),
    path("staff/appointments/<int:appointment_id>/check-in/", staff.check_in, name="staff_check_in"),
    path("staff/appointments/<int:appointment_id>/no-show/", staff.no_show, name="staff_no_show"),
    path("staff/donors/<int:donor_id>/deferral/", deferrals.deferral_new, name="staff_deferral_new"),
    path(
        "staff/donors/<int:donor_id>/deferrals/<int:deferral_id>/lift/",
        deferrals.deferral_lift,
        name="staff_deferral_lift",
    ),
    path("staff/appointments/<int:appointment_id>/donation/", staff.donation_new, name="staff_donation_new"),
    path("staff/lab/", staff.lab_worklist, name="staff_lab"),
    path("staff/donations/<int:donation_id>/", staff.donation_lab, name="staff_donation"),
    path("staff/inventory/", staff.inventory, name="staff_inventory"),
    path("staff/transfers/receive/", staff.transfer_receive, name="staff_transfer_receive"),
    path("staff/transfers/<int:transfer_id>/dispatch/", staff.transfer_dispatch, name="staff_transfer_dispatch"),
    path("staff/units/<int:unit_id>/", units.unit_detail, name="staff_unit"),
    path("staff/units/<int:unit_id>/label.pdf", units.unit_label, {"fmt": "pdf"}, name="staff_unit_label_pdf"),
    path("staff/units/<int:unit_id>/label.zpl", units.unit_label, {"fmt": "zpl"}, name="staff_unit_label_zpl"),
    path("staff/units/<int:unit_id>/discard/", staff.unit_discard, name="staff_unit_discard"),
    path("requests/<int:request_id>/", bloodrequests.detail, name="blood_request"),
    path("requests/<int:request_id>/reserve/", bloodrequests.reserve, name="blood_request_reserve"),
    path("requests/<int:request_id>/override/", bloodrequests.reserve_override, name="blood_request_override"),
    path("requests/<int:request_id>/allocate/", bloodrequests.allocate, name="blood_request_allocate"),
    path("requests/<int:request_id>/issue/", bloodrequests.issue, name="blood_request_issue"),
    path("requests/<int:request_id>/cancel/", bloodrequests.cancel, name="blood_request_cancel"),
    path("requests/<int:request_id>/call-outs/", bloodrequests.call_outs, name="blood_request_call_outs"),
    path("hospital/", homes.hospital_home, name="hospital_home"),
    path("console/", homes.admin_home, name="admin_home"),
    path("hospital/requests/", hospital.requests_page, name="hospital_requests"),
    path("hospital/requests/<int:request_id>/outcome/", hospital.outcome, name="hospital_outcome"),
    path("hospital/requests/<int:request_id>/return/", returns.unit_return, name="hospital_return"),
    path("staff/returns/", returns.returns_page, name="staff_returns"),
    path(
        "staff/donations/<int:donation_id>/complication/",
        haemovigilance.complication_new,
        name="staff_complication_new",
    ),
    path("staff/haemovigilance/", haemovigilance.haemovigilance_page, name="staff_haemovigilance"),
    path(
        "staff/complications/<int:complication_id>/code/",
        haemovigilance.complication_code,
        name="staff_complication_code",
    ),
    path(
        "staff/reactions/<int:reaction_id>/<str:action>/",
        haemovigilance.reaction_action,
        name="staff_reaction_action",
    ),
    path("hospital/requests/<int:request_id>/reaction/", haemovigilance.reaction_new, name="hospital_reaction"),
    path("me/donations/<int:donation_id>/reaction/", haemovigilance.donor_reaction, name="donor_reaction"),
    path("staff/returns/<int:return_id>/decide/", returns.return_decide, name="staff_return_decide"),
]

if settings.DEBUG:
    # `make run` has no nginx: serve the api's uploads (site photos) from the shared media folder.
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler403 = "dblood_web.views.public.permission_denied"
handler404 = "dblood_web.views.public.page_not_found"
handler500 = "dblood_web.views.public.server_error"
