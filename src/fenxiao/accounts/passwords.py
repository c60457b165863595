"""Password rules for staff, stricter than a buyer's: whoever can open the console needs a
password of 10+ characters that is not a common one (Django's own validators)."""

from django.contrib.auth.password_validation import (
    CommonPasswordValidator,
    MinimumLengthValidator,
)
from django.core.exceptions import ValidationError


class StaffPasswordValidator:
    def __init__(self, min_length: int = 10):
        self.rules = [MinimumLengthValidator(min_length), CommonPasswordValidator()]
        self.min_length = min_length

    def validate(self, password, user=None):
        if not getattr(user, "is_staff", False):
            return
        errors = []
        for rule in self.rules:
            try:
                rule.validate(password, user)
            except ValidationError as exc:
                errors.extend(exc.error_list)
        if errors:
            raise ValidationError(errors)

    def get_help_text(self):
        return f"员工密码至少 {self.min_length} 个字符，且不能是常见密码。"
