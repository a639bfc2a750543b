from django.conf import settings
from django.conf.urls.static import static
from django.urls import include, path

from .views import (
    account,
    appointments,
    bloodrequests,
    checks,
    deferrals,
    donor,
    fees,
    haemovigilance,
    homes,
    hospital,
    public,
    relay,
    reports,
    returns,
    site_photo,
    staff,
    units,
    walkins,
)

# Grouped by who uses them; each prefix is written once (include), so a group reads as one list.
donor_patterns = [
    path("", donor.profile, name="donor_profile"),
    path("eligibility/", donor.eligibility, name="eligibility"),
    path("appointments/", appointments.appointment_list, name="appointments"),
    path("appointments/book/", appointments.appointment_book, name="appointment_book"),
    path("appointments/<int:appointment_id>/cancel/", appointments.appointment_cancel, name="appointment_cancel"),
    path(
        "appointments/<int:appointment_id>/reschedule/",
        appointments.appointment_reschedule,
        name="appointment_reschedule",
    ),
    path("appointments/<int:appointment_id>.ics", appointments.appointment_ics, name="appointment_ics"),
    path("appointments/<int:appointment_id>/questions/", appointments.questionnaire, name="questionnaire"),
    path("donations/", donor.donations, name="donations"),
    path("donations/<int:donation_id>/reaction/", haemovigilance.donor_reaction, name="donor_reaction"),
    path("notifications/", donor.notifications, name="notifications"),
    path("notifications/<int:notification_id>/read/", donor.notification_read, name="notification_read"),
    path("call-outs/", donor.call_outs, name="call_outs"),
    path("call-outs/<int:call_out_id>/answer/", donor.call_out_answer, name="call_out_answer"),
    path("card/", donor.card, name="card"),
    path("certificates/<int:milestone>.pdf", donor.certificate_pdf, name="certificate_pdf"),
]

staff_patterns = [
    path("", homes.staff_home, name="staff_home"),
    path("drives/new/", staff.drive_new, name="staff_drive_new"),
    path("drives/<int:drive_id>/", staff.drive_detail, name="staff_drive"),
    path("drives/<int:drive_id>/edit/", staff.drive_edit, name="staff_drive_edit"),
    path("drives/<int:drive_id>/cancel/", staff.drive_cancel, name="staff_drive_cancel"),
    path("drives/<int:drive_id>/walk-in/", walkins.walk_in, name="staff_walk_in"),
    path("appointments/<int:appointment_id>/check-in/", staff.check_in, name="staff_check_in"),
    path("appointments/<int:appointment_id>/no-show/", staff.no_show, name="staff_no_show"),
    path("appointments/<int:appointment_id>/donation/", staff.donation_new, name="staff_donation_new"),
    path("donors/<int:donor_id>/deferral/", deferrals.deferral_new, name="staff_deferral_new"),
    path(
        "donors/<int:donor_id>/deferrals/<int:deferral_id>/lift/", deferrals.deferral_lift, name="staff_deferral_lift"
    ),
    path("lab/", staff.lab_worklist, name="staff_lab"),
    path("donations/<int:donation_id>/", staff.donation_lab, name="staff_donation"),
    path("donations/<int:donation_id>/complication/", haemovigilance.complication_new, name="staff_complication_new"),
    path("inventory/", staff.inventory, name="staff_inventory"),
    path("transfers/receive/", staff.transfer_receive, name="staff_transfer_receive"),
    path("transfers/<int:transfer_id>/dispatch/", staff.transfer_dispatch, name="staff_transfer_dispatch"),
    path("units/<int:unit_id>/", units.unit_detail, name="staff_unit"),
    path("units/<int:unit_id>/label.pdf", units.unit_label, {"fmt": "pdf"}, name="staff_unit_label_pdf"),
    path("units/<int:unit_id>/label.zpl", units.unit_label, {"fmt": "zpl"}, name="staff_unit_label_zpl"),
    path("units/<int:unit_id>/discard/", staff.unit_discard, name="staff_unit_discard"),
    path("returns/", returns.returns_page, name="staff_returns"),
    path("returns/<int:return_id>/decide/", returns.return_decide, name="staff_return_decide"),
    path("haemovigilance/", haemovigilance.haemovigilance_page, name="staff_haemovigilance"),
    path("complications/<int:complication_id>/code/", haemovigilance.complication_code, name="staff_complication_code"),
    path("reactions/<int:reaction_id>/<str:action>/", haemovigilance.reaction_action, name="staff_reaction_action"),
    path("fees/", fees.fees_page, name="staff_fees"),
    path("reports/", reports.reports_index, name="staff_reports"),
    path("reports/haemovigilance-export.csv", reports.haemovigilance_export, name="staff_haemovigilance_export"),
    path("reports/<slug:name>/", reports.report_page, name="staff_report"),
    path("reports/<slug:name>.<slug:fmt>", reports.report_download, name="staff_report_download"),
]

# One blood request, for the bank that serves it and the hospital that asked.
blood_request_patterns = [
    path("", bloodrequests.detail, name="blood_request"),
    path("reserve/", bloodrequests.reserve, name="blood_request_reserve"),
    path("override/", bloodrequests.reserve_override, name="blood_request_override"),
    path("allocate/", bloodrequests.allocate, name="blood_request_allocate"),
    path("issue/", bloodrequests.issue, name="blood_request_issue"),
    path("cancel/", bloodrequests.cancel, name="blood_request_cancel"),
    path("call-outs/", bloodrequests.call_outs, name="blood_request_call_outs"),
    path("replacement-code/", bloodrequests.replacement_code, name="blood_request_replacement_code"),
]

hospital_patterns = [
    path("", homes.hospital_home, name="hospital_home"),
    path("requests/", hospital.requests_page, name="hospital_requests"),
    path("requests/<int:request_id>/outcome/", hospital.outcome, name="hospital_outcome"),
    path("requests/<int:request_id>/return/", returns.unit_return, name="hospital_return"),
    path("requests/<int:request_id>/reaction/", haemovigilance.reaction_new, name="hospital_reaction"),
]

urlpatterns = [
    path("", public.home, name="home"),
    path("healthz", public.healthz, name="healthz"),
    path("drives/", public.drives, name="drives"),
    path("blood-banks/", public.sites, name="sites"),
    path("blood-banks/<int:site_id>/", public.site_detail, name="site"),
    path("blood-banks/<int:site_id>/photo/", site_photo.site_photo, name="site_photo"),
    # Public checks, not indexed: a certificate's QR code points at {WEB_BASE_URL}/certificates/<token>/.
    path("certificates/<str:token>/", checks.certificate_check, name="certificate_check"),
    path("replacement/", checks.replacement_lookup, name="replacement_lookup"),
    path("replacement/<str:code>/", checks.replacement_status, name="replacement_status"),
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
    path("console/", homes.admin_home, name="admin_home"),
    # The contact relay, for a call-out's responder and its staff alike.
    path("messages/<int:thread_id>/", relay.conversation, name="conversation"),
    path("messages/<int:thread_id>/block/", relay.conversation_block, name="conversation_block"),
    path("call-out-answers/<int:response_id>/messages/", relay.conversation_open, name="conversation_open"),
    path("me/", include(donor_patterns)),
    path("staff/", include(staff_patterns)),
    path("requests/<int:request_id>/", include(blood_request_patterns)),
    path("hospital/", include(hospital_patterns)),
]

if settings.DEBUG:
    # `make run` has no nginx: serve the api's uploads (site photos) from the shared media folder.
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler403 = "dblood_web.views.public.permission_denied"
handler404 = "dblood_web.views.public.page_not_found"
handler500 = "dblood_web.views.public.server_error"
