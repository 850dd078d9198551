"""The users of the load benchmark (tests/bench/load.py): caseworkers doing their daily mix
and district heads reading the dashboard. Logins and the records they open come from the
environment the benchmark sets."""

import os
import random
import re

import requests
import urllib3
from locust import HttpUser, between, task

urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)

PASSWORD = os.environ["LOAD_PASSWORD"]
CLIENT_IDS = os.environ["LOAD_CLIENTS"].split(",")
VILLAGE = os.environ["LOAD_VILLAGE"]
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class SignedIn(HttpUser):
    abstract = True
    username = ""

    def on_start(self):
        """Sign in once, outside the figures (a plain session whose cookies the measured one
        then carries): a login is once a day, and its password hash is deliberately slow."""
        self.client.verify = False  # the benchmark's self-signed certificate
        session = requests.Session()  # verify=False on each call: an environment CA wins
        page = session.get(self.host + "/akun/masuk/", verify=False)
        token = CSRF.search(page.text).group(1)
        signed_in = session.post(
            self.host + "/akun/masuk/",
            data={"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": self.host + "/akun/masuk/"}, verify=False,
        )  # fmt: skip
        if "/akun/masuk/" in signed_in.url:
            raise RuntimeError(f"{self.username} could not sign in")
        self.client.cookies.update(session.cookies)

    def csrf(self, path: str) -> str:
        return CSRF.search(self.client.get(path, name=path.split("?")[0]).text).group(1)


class Caseworker(SignedIn):
    weight = 20
    wait_time = between(1, 3)
    username = os.environ["LOAD_CASEWORKER"]

    @task(4)
    def clients(self):
        self.client.get("/klien/", name="/klien/ (list)")

    @task(3)
    def referrals(self):
        self.client.get("/rujukan/", name="/rujukan/ (list)")

    @task(3)
    def cases(self):
        self.client.get("/kasus/", name="/kasus/ (list)")

    @task(3)
    def search(self):
        self.client.get(f"/klien/?q=KLIEN {random.randint(1, 99_999)}", name="/klien/?q= (search)")

    @task(5)
    def client_detail(self):
        pk = random.choice(CLIENT_IDS)
        self.client.get(f"/klien/{pk}/", name="/klien/<id>/ (detail)")

    @task(1)
    def referral_post(self):
        token = self.csrf("/rujukan/baru/")
        self.client.post("/rujukan/baru/", {
            "csrfmiddlewaretoken": token, "source": "family", "referring_officer": "Petugas",
            "referral_date": "2026-12-01", "full_name": f"Orang Uji {random.randint(1, 10**6)}",
            "sex": "L", "region": VILLAGE, "urine_test": "not_tested", "legal_status": "none",
            "reason": "Laporan keluarga",
        }, headers={"Referer": self.host + "/rujukan/baru/"}, name="/rujukan/baru/ (post)")  # fmt: skip


class DistrictHead(SignedIn):
    weight = 5
    wait_time = between(2, 5)
    username = os.environ["LOAD_HEAD"]

    @task(4)
    def dashboard(self):
        period = random.choice(["2026", "2025", "2026-Q4", "2026-11"])
        self.client.get(f"/dasbor/?period={period}", name="/dasbor/ (dashboard)")

    @task(1)
    def export(self):
        self.client.get("/dasbor/?period=2026&format=xlsx", name="/dasbor/?format=xlsx (export)")
