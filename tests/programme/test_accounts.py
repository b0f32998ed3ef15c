"""Login, logout, password reset, rate limits, closed sign-up, invitations, MFA, role navigation."""

import re
from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from programme import services
from programme.models import Invitation
from tests.clients import FormClient as Client
from tests.clients import totp_code
from tests.factories import PASSWORD, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()


def login(client, email, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_login_by_email_and_logout(world):
    client = Client()
    response = login(client, "staff@test.fr")
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    client.post(reverse("account_logout"))
    assert client.get("/").status_code == 302


def test_wrong_password_gives_a_french_error(world):
    response = login(Client(), "staff@test.fr", "mauvais")
    assert response.status_code == 200
    assert "L’adresse e-mail ou le mot de passe sont incorrects." in response.content.decode()
    assert "_auth_user_id" not in response.wsgi_request.session


def test_failed_logins_are_rate_limited(world):
    client = Client()
    for _ in range(5):
        login(client, "staff@test.fr", "mauvais")
    # Even the right password is refused while the limit holds.
    response = login(client, "staff@test.fr", PASSWORD)
    assert "Trop de tentatives de connexion échouées" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_sign_up_is_closed(db):
    client = Client()
    response = client.get(reverse("account_signup"))
    assert "inscriptions sont actuellement fermées" in response.content.decode()
    client.post(
        reverse("account_signup"),
        {"email": "intrus@exemple.fr", "password1": "Tr3s-secret!", "password2": "Tr3s-secret!"},
    )
    assert not User.objects.filter(email="intrus@exemple.fr").exists()


def test_password_reset_sends_a_link_that_sets_a_new_password(world):
    client = Client()
    client.post(reverse("account_reset_password"), {"email": "staff@test.fr"})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/password/reset/key/\S+", mail.outbox[0].body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    response = client.get("/" + path, follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else "/" + path
    response = client.post(form_url, {"password1": "Nouveau-mot-2-passe", "password2": "Nouveau-mot-2-passe"})
    assert response.status_code == 302
    assert login(Client(), "staff@test.fr", "Nouveau-mot-2-passe").status_code == 302


def test_admin_login_goes_through_the_rate_limited_login(world):
    response = Client().get("/admin/login/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def _invite(world, **kwargs):
    defaults = {"email": "nouvelle@exemple.fr", "role": "partner", "organisation": world.org_a}
    return services.invitation_create(actor=world.staff, **{**defaults, **kwargs})


def test_invitation_end_to_end(world, staff_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("programme:invitation.list"),
            {
                "email": "Nouvelle@Exemple.fr",
                "role": "partner",
                "organisation": world.org_a.pk,
                "first_name": "Léa",
            },
        )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nouvelle@exemple.fr"]
    assert "Votre accès à Parcours" in message.subject
    link = re.search(r"http://\S+/invitation/\S+/", message.body).group(0)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    client = Client()
    assert "Bienvenue dans Parcours" in client.get(path).content.decode()
    # Mismatched passwords are refused and nothing is created.
    response = client.post(path, {"password1": "Jardin-partage-2026", "password2": "autre"})
    assert "ne correspondent pas" in response.content.decode()
    assert not User.objects.filter(email="nouvelle@exemple.fr").exists()
    response = client.post(path, {"password1": "Jardin-partage-2026", "password2": "Jardin-partage-2026"})
    assert response.status_code == 302
    user = User.objects.get(email="nouvelle@exemple.fr")
    assert user.role == "partner" and user.organisation == world.org_a and user.first_name == "Léa"
    # The link is single-use.
    assert Client().get(path).status_code == 410
    assert login(Client(), "nouvelle@exemple.fr", "Jardin-partage-2026").status_code == 302


def test_the_invitation_mail_leaves_from_a_task_after_commit(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        invitation = _invite(world)
    assert len(mail.outbox) == 0  # nothing is sent inside the transaction
    with mock.patch("programme.tasks.send_invitation.delay") as delay:
        for callback in callbacks:
            callback()
    delay.assert_called_once()
    assert delay.call_args.args[0] == invitation.pk and invitation.token in delay.call_args.args[1]
    for callback in callbacks:
        callback()  # eager in tests: the task runs and sends
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["nouvelle@exemple.fr"]


def test_no_invitation_mail_when_the_transaction_rolls_back(world, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        _invite(world)
        raise RuntimeError("rollback")
    assert callbacks == [] and len(mail.outbox) == 0
    assert not Invitation.objects.exists()


def test_a_replaced_invitation_is_not_mailed_by_a_late_task(world):
    first = _invite(world)
    _invite(world)
    assert services.invitation_send(invitation_id=first.pk, link="http://x/") == 0
    assert len(mail.outbox) == 0


def test_expired_invitation_is_refused(world):
    invitation = _invite(world)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    response = Client().get(reverse("invitation.accept", args=[invitation.token]))
    assert response.status_code == 410
    assert "n’est plus valable" in response.content.decode()
    response = Client().post(
        reverse("invitation.accept", args=[invitation.token]),
        {"password1": "Jardin-partage-2026", "password2": "Jardin-partage-2026"},
    )
    assert not User.objects.filter(email="nouvelle@exemple.fr").exists()


def test_a_new_invitation_replaces_the_previous_link(world):
    first = _invite(world)
    _invite(world)
    assert Client().get(reverse("invitation.accept", args=[first.token])).status_code == 410


def test_weak_password_is_refused(world):
    invitation = _invite(world)
    response = Client().post(
        reverse("invitation.accept", args=[invitation.token]), {"password1": "123", "password2": "123"}
    )
    assert "trop court" in response.content.decode()


def test_partner_invitation_needs_an_organisation(staff_client, world):
    response = staff_client.post(
        reverse("programme:invitation.list"), {"email": "x@exemple.fr", "role": "partner"}
    )
    assert "doit être rattaché à une structure" in response.content.decode()
    assert not Invitation.objects.filter(email="x@exemple.fr").exists()


def test_cannot_invite_an_existing_active_account(staff_client, world):
    response = staff_client.post(
        reverse("programme:invitation.list"), {"email": "a@test.fr", "role": "staff"}
    )
    assert "existe déjà" in response.content.decode()


def test_mfa_is_required_for_the_team_when_configured(world, settings):
    settings.PARCOURS_REQUIRE_MFA = True
    staff = Client()
    staff.force_login(world.staff)
    response = staff.get("/structures/")
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")
    partner = Client()
    partner.force_login(world.partner_a)
    assert partner.get(reverse("programme:preferences")).status_code == 200


def test_mfa_is_optional_by_default(world, staff_client):
    assert staff_client.get("/structures/").status_code == 200


@pytest.mark.parametrize(
    ("role", "present", "absent"),
    [
        ("staff", ["Structures", "Contacts", "E-mails", "Invitations"], ["Mon projet"]),
        ("director", ["Structures", "E-mails"], ["Mon projet"]),
        ("partner_a", [], ["Structures", "Contacts", "E-mails", "Invitations"]),
    ],
)
def test_navigation_depends_on_the_role(world, role, present, absent):
    client = Client()
    client.force_login(getattr(world, role))
    response = client.get(reverse("programme:preferences"))
    nav = re.search(r'<nav class="sidebar".*?</nav>', response.content.decode(), re.S).group(0)
    for label in present:
        assert f">{label}</a>" in nav
    for label in absent:
        assert f">{label}</a>" not in nav


def test_the_sent_e_mails_are_one_click_away_and_marked_in_the_sidebar(world, staff_client):
    """« E-mails » in the team's sidebar opens the sent e-mails; on their pages (and the templates') it is the
    entry marked current, not « Projets », whose path they share."""
    for url in (reverse("projects:mailing.sent"), reverse("projects:mailing.templates")):
        html = staff_client.get(url).content.decode()
        nav = re.search(r'<nav class="sidebar".*?</nav>', html, re.S).group(0)
        current = re.findall(r'<a[^>]*aria-current="page"[^>]*>([^<]*)</a>', nav)
        assert current == ["E-mails"], current
        assert f'href="{reverse("projects:mailing.sent")}"' in nav


def test_preferences_turn_the_digest_off(world, staff_client):
    staff_client.post(reverse("programme:preferences"), {})
    world.staff.refresh_from_db()
    assert world.staff.digest_enabled is False


def test_language_can_be_switched_to_english(world, staff_client):
    assert ">Structures</a>" in staff_client.get("/structures/").content.decode()
    staff_client.post(reverse("set_language"), {"language": "en", "next": "/structures/"})
    response = staff_client.get("/structures/", headers={"Accept-Language": "fr"})
    assert response.headers["Content-Language"] == "en"
    body = response.content.decode()
    assert ">Organisations</a>" in body and "Add an organisation" in body


def test_login_page_speaks_french_by_default_and_english_on_request(db):
    assert "Connexion à Parcours" in Client().get(reverse("account_login")).content.decode()
    english = Client().get(reverse("account_login"), headers={"Accept-Language": "en"}).content.decode()
    assert "Log in to Parcours" in english


def test_inactive_user_cannot_log_in(world):
    UserFactory(email="ancien@test.fr", is_active=False)
    client = Client()
    login(client, "ancien@test.fr")
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 302


def test_a_contact_can_be_invited_from_its_page(world, staff_client, django_capture_on_commit_callbacks):
    # A contact who already has an account is not offered an invitation.
    page = staff_client.get(reverse("programme:person.detail", args=[world.person_a.pk])).content.decode()
    assert "Inviter dans Parcours" not in page
    contact = PersonFactory(organisation=world.org_b, email="bruno@exemple.fr")
    page = staff_client.get(reverse("programme:person.detail", args=[contact.pk])).content.decode()
    assert f"?person={contact.pk}" in page
    form = staff_client.get(reverse("programme:invitation.list"), {"person": contact.pk}).content.decode()
    assert "bruno@exemple.fr" in form
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(
            reverse("programme:invitation.list"),
            {
                "email": "bruno@exemple.fr",
                "role": "partner",
                "organisation": world.org_b.pk,
                "person": contact.pk,
            },
        )
    invitation = Invitation.objects.get(email="bruno@exemple.fr")
    assert invitation.person == contact
    path = "/" + re.search(r"http://\S+/invitation/\S+/", mail.outbox[0].body).group(0).split("/", 3)[3]
    Client().post(path, {"password1": "Jardin-partage-2026", "password2": "Jardin-partage-2026"})
    assert User.objects.get(email="bruno@exemple.fr").person == contact


def test_totp_second_factor_is_asked_after_the_password(world, settings):
    import time

    from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value

    secret = generate_totp_secret()
    TOTP.activate(world.staff, secret)
    settings.PARCOURS_REQUIRE_MFA = True
    client = Client()
    response = login(client, "staff@test.fr")
    assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert "_auth_user_id" not in client.session
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 302
    # Logged in, and with TOTP active the MFA requirement lets them through.
    assert client.get("/structures/").status_code == 200


# --- Login that cannot be turned against the organisation (issue #13, item 5) ---------------------------

PROXY = "10.0.0.2"  # every request reaches Parcours through the production proxy


def login_from(ip, email, password=PASSWORD, *, spoofed=""):
    """A login through one proxy that appends the address it saw to X-Forwarded-For."""
    forwarded = f"{spoofed}, {ip}" if spoofed else ip
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded).post(
        reverse("account_login"), {"login": email, "password": password}
    )


def test_bad_passwords_from_one_client_behind_the_proxy_do_not_lock_the_organisation_out(world, settings):
    settings.PARCOURS_TRUSTED_PROXIES = 1
    attacker = "203.0.113.9"
    for number in range(5):
        login_from(attacker, f"inconnu{number}@exemple.fr", "mauvais")
    login_from(attacker, "staff@test.fr", "mauvais")
    # A colleague behind the same proxy signs in.
    assert login_from("198.51.100.7", "director@test.fr").status_code == 302
    assert login_from("198.51.100.8", "staff@test.fr").status_code == 302


def test_a_client_cannot_escape_its_counter_by_forging_x_forwarded_for(world, settings):
    settings.PARCOURS_TRUSTED_PROXIES = 1
    attacker = "203.0.113.9"
    for number in range(20):
        login_from(attacker, f"inconnu{number}@exemple.fr", "mauvais", spoofed=f"192.0.2.{number}")
    response = login_from(attacker, "a@test.fr", spoofed="192.0.2.200")
    assert "Trop de tentatives de connexion échouées" in response.content.decode()
    assert login_from("198.51.100.7", "a@test.fr").status_code == 302


def test_without_trusted_proxies_x_forwarded_for_is_ignored(rf, settings):
    from programme.adapters import client_ip

    settings.PARCOURS_TRUSTED_PROXIES = 0
    request = rf.get("/", REMOTE_ADDR="198.51.100.1", HTTP_X_FORWARDED_FOR="192.0.2.1")
    assert client_ip(request) == "198.51.100.1"
    settings.PARCOURS_TRUSTED_PROXIES = 2
    request = rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="192.0.2.1, 203.0.113.9, 10.0.0.1")
    assert client_ip(request) == "203.0.113.9"
    request = rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="pas-une-adresse, 10.0.0.1")
    assert client_ip(request) == PROXY


def test_the_failed_login_budget_still_holds_per_account(world, settings):
    settings.PARCOURS_TRUSTED_PROXIES = 1
    for number in range(5):
        login_from(f"198.51.100.{number}", "staff@test.fr", "mauvais")
    response = login_from("198.51.100.99", "staff@test.fr")
    assert "Trop de tentatives de connexion échouées" in response.content.decode()


def test_wrong_totp_codes_have_their_own_budget(world, settings):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    secret = generate_totp_secret()
    TOTP.activate(world.staff, secret)
    settings.PARCOURS_REQUIRE_MFA = True
    client = Client()
    assert login(client, "staff@test.fr").status_code == 302
    for _ in range(5):
        client.post(reverse("mfa_authenticate"), {"code": "000000"})
    # The code budget is spent: even the right code waits…
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert "_auth_user_id" not in client.session
    assert "Trop de tentatives" in response.content.decode()
    # …but the wrong codes did not eat the password budget of this address: a colleague signs in.
    assert login(Client(), "a@test.fr").status_code == 302


def test_an_anonymous_password_reset_does_not_block_two_factor_activation(world, settings):
    Client().post(reverse("account_reset_password"), {"email": "staff@test.fr"})
    settings.PARCOURS_REQUIRE_MFA = True
    staff = Client()
    assert login(staff, "staff@test.fr").status_code == 302
    page = staff.get(reverse("mfa_activate_totp"))
    if page.status_code == 302 and "reauthenticate" in page["Location"]:
        staff.post(page["Location"], {"password": PASSWORD})
        page = staff.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = staff.session["mfa.totp.secret"]
    response = staff.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302, response.content.decode()[:2000]
    from allauth.mfa.models import Authenticator

    assert Authenticator.objects.filter(user=world.staff, type=Authenticator.Type.TOTP).exists()


def test_a_new_login_address_must_be_verified_before_it_becomes_the_login(world):
    from allauth.account.models import EmailAddress

    partner = Client()
    assert login(partner, "a@test.fr").status_code == 302
    partner.post(reverse("account_email"), {"email": "nouvelle@exemple.fr", "action_add": ""})
    new = EmailAddress.objects.get(email="nouvelle@exemple.fr")
    assert not new.verified
    # The page says which address waits for its verification, in French typography, with its two buttons.
    page = partner.get(reverse("account_email")).content.decode()
    assert "Adresse actuelle\u202f:" in page and "Changement en attente vers\u202f:" in page
    assert "nouvelle@exemple.fr" in page and "Renvoyer l’e-mail de vérification" in page
    assert "Annuler le changement" in page
    # Not verified: not the login, not usable to sign in, cannot be made primary.
    partner.post(reverse("account_email"), {"email": "nouvelle@exemple.fr", "action_primary": ""})
    world.partner_a.refresh_from_db()
    assert world.partner_a.email == "a@test.fr"
    assert login(Client(), "nouvelle@exemple.fr").status_code == 200
    # The link mailed to the new address verifies it; then it replaces the old login.
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", mail.outbox[-1].body).group(0)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    partner.post(path)
    world.partner_a.refresh_from_db()
    assert world.partner_a.email == "nouvelle@exemple.fr"
    assert login(Client(), "nouvelle@exemple.fr").status_code == 302


def test_preferences_choose_the_language_and_how_comments_arrive(world, staff_client):
    page = staff_client.get(reverse("programme:preferences")).content.decode()
    assert "Langue des pages et des e-mails" in page and "Dans le récapitulatif du matin" in page
    response = staff_client.post(
        reverse("programme:preferences"),
        {"digest_enabled": "on", "comment_notifications": "digest", "language": "en"},
        follow=True,
    )
    world.staff.refresh_from_db()
    assert (world.staff.language, world.staff.comment_notifications) == ("en", "digest")
    # The pages now speak English, and the language switch still works.
    assert response.headers["Content-Language"] == "en"
    staff_client.post(reverse("set_language"), {"language": "fr", "next": "/structures/"})
    assert staff_client.get("/structures/").headers["Content-Language"] == "fr"
    # A value that is not a choice is refused, nothing changes.
    staff_client.post(reverse("programme:preferences"), {"digest_enabled": "on", "language": "de"})
    world.staff.refresh_from_db()
    assert world.staff.language == "en"
    translation.activate("fr")  # the test client leaves the last response's language active


def test_after_login_the_pages_speak_the_person_s_language(world):
    from tests.factories import PASSWORD

    world.staff.language = "en"
    world.staff.save()
    client = Client()
    response = client.post(
        reverse("account_login"), {"login": world.staff.email, "password": PASSWORD}, follow=True
    )
    assert response.headers["Content-Language"] == "en"
    translation.activate("fr")  # the test client leaves the last response's language active


def test_a_pending_address_change_can_be_cancelled_from_the_page(world):
    from allauth.account.models import EmailAddress

    partner = Client()
    assert login(partner, "a@test.fr").status_code == 302
    partner.post(reverse("account_email"), {"email": "autre@exemple.fr", "action_add": ""})
    assert EmailAddress.objects.filter(email="autre@exemple.fr").exists()
    # The page's « Annuler le changement » button: the pending address's hidden field and action_remove.
    page = partner.get(reverse("account_email")).content.decode()
    assert 'name="email" value="autre@exemple.fr"' in page and 'name="action_remove"' in page
    partner.post(reverse("account_email"), {"email": "autre@exemple.fr", "action_remove": ""})
    assert not EmailAddress.objects.filter(email="autre@exemple.fr").exists()
    world.partner_a.refresh_from_db()
    assert world.partner_a.email == "a@test.fr"
