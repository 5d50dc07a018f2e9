from django.urls import reverse


def test_login_page_in_azerbaijani(client, db):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert response["Content-Language"] == "az"


def test_home_for_verified_investigator(login_as):
    response = login_as("polis").get("/")
    assert response.status_code == 200
    assert "İnsan Alverinə Qarşı Mübarizə Baş İdarəsi" in response.content.decode()
