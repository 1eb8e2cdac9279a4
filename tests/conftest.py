import pytest

from tests.site_factory import write_small_site


@pytest.fixture
def small_site(tmp_path):
    return write_small_site(tmp_path / "site")
