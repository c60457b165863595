"""Pictures for storefront tests, made with Pillow."""

from io import BytesIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image


def picture_bytes(fmt: str = "PNG", size=(40, 20), color=(255, 90, 54)) -> bytes:
    buf = BytesIO()
    Image.new("RGB", size, color).save(buf, fmt)
    return buf.getvalue()


@pytest.fixture
def stored_picture():
    """A stored picture's path, as the console keeps an upload."""

    def make(name: str = "storefront/test.png") -> str:
        return default_storage.save(name, ContentFile(picture_bytes()))

    return make
