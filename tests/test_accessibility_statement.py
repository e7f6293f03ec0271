"""The accessibility statement (déclaration d'accessibilité) French public services must
publish: a page of the app in French and English, linked from every page's footer, that
says the service is not compliant yet and lists what was checked and what is not
accessible."""

from tests.conftest import text_of


def test_the_statement_is_in_french_by_default_and_says_where_things_stand(client):
    page = client.get("/accessibility")
    assert page.status_code == 200
    assert '<html lang="fr">' in page.get_data(as_text=True)
    text = text_of(page)
    assert "Déclaration d’accessibilité" in text
    assert "non conforme" in text
    assert "Contenus non accessibles" in text
    assert "Défenseur des droits" in text
    assert "aux personnes qui organisent votre événement" in text


def test_the_statement_in_english_points_to_the_legal_french_one(client):
    page = client.get("/accessibility?lang=en")
    html = page.get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Accessibility statement" in text_of(page)
    assert "not compliant" in text_of(page)
    assert 'href="/accessibility?lang=fr" hreflang="fr" lang="fr"' in html


def test_the_contact_is_the_one_configured(app, client):
    app.config["ACCESSIBILITY_CONTACT"] = "accessibilite@example.gouv.fr"
    html = client.get("/accessibility").get_data(as_text=True)
    assert 'href="mailto:accessibilite@example.gouv.fr"' in html


def test_every_page_links_to_it_from_its_footer(client, event):
    for path in ("/", f"/e/{event.code}", "/new", "/accessibility"):
        html = client.get(path).get_data(as_text=True)
        footer = html.split('<footer class="site-footer">')[1]
        assert 'href="/accessibility"' in footer, path
        assert "Accessibilité : non conforme" in text_of_html(footer), path


def text_of_html(html):
    import re

    return " ".join(re.sub(r"<[^>]+>", " ", html).split()).replace("\u00a0", " ")


def test_the_statement_names_the_axe_core_version_the_tests_run(client):
    """The checks it describes are tests/browser/test_accessibility.py's: the version it
    names is the one bundled in the pinned axe-playwright-python."""
    import re
    from pathlib import Path

    import axe_playwright_python

    bundled = Path(axe_playwright_python.__file__).with_name("axe.min.js").read_text()[:200]
    version = re.search(r"axe v(\d+\.\d+\.\d+)", bundled).group(1)
    for lang in ("fr", "en"):
        html = client.get(f"/accessibility?lang={lang}").get_data(as_text=True)
        assert f"axe-core&nbsp;{version}" in html or f"axe-core {version}" in html, lang
    docs = (Path(__file__).parents[1] / "docs" / "accessibility.md").read_text()
    assert f"axe-core {version}" in docs
