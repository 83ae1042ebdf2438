def test_home_redirects_anonymous_to_login(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_home_renders_for_a_district_admin(client_for):
    response = client_for("district_admin").get("/")
    assert response.status_code == 200
    assert "苏仙区" in response.content.decode()
