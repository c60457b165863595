"""Payout errors, each with a stable code and a Chinese message."""

from fenxiao.errors import DomainError


class InvalidAmount(DomainError):
    code = "invalid_amount"
    status = 400
    message = "提现金额须为大于 0 且最多两位小数的金额"


class UnknownChannel(DomainError):
    code = "unknown_channel"
    status = 400
    message = "不支持的提现渠道"


class InvalidAccount(DomainError):
    code = "invalid_account"
    status = 400
    message = "收款账户信息不完整"


class BelowMinimum(DomainError):
    code = "below_minimum"
    status = 400
    message = "低于最低提现金额"


class AmountTooSmall(DomainError):
    code = "amount_too_small"
    status = 400
    message = "扣除手续费和税费后实付金额须大于 0"


class DailyLimitExceeded(DomainError):
    code = "daily_limit_exceeded"
    status = 409
    message = "超过每日提现上限"


class DailyCountExceeded(DomainError):
    code = "daily_count_exceeded"
    status = 409
    message = "今日提现次数已用完"


class InsufficientBalance(DomainError):
    code = "insufficient_balance"
    status = 409
    message = "可提现余额不足"


class IdempotencyConflict(DomainError):
    code = "idempotency_conflict"
    status = 409
    message = "相同的请求号已用于另一笔不同的提现"


class IdentityRequired(DomainError):
    code = "identity_required"
    status = 409
    message = "请先登记真实姓名和身份证号"


class IdentityLocked(DomainError):
    code = "identity_locked"
    status = 409
    message = "实名信息已登记，如需修改请联系客服"


class InvalidIdNumber(DomainError):
    code = "invalid_id_number"
    status = 400
    message = "身份证号码无效"


class WithdrawalNotFound(DomainError):
    code = "withdrawal_not_found"
    status = 404
    message = "提现记录不存在"


class WithdrawalState(DomainError):
    code = "withdrawal_state"
    status = 409
    message = "提现当前状态不允许此操作"


class ReasonRequired(DomainError):
    code = "reason_required"
    status = 400
    message = "请填写原因"


class ReferenceRequired(DomainError):
    code = "reference_required"
    status = 400
    message = "请填写打款凭证号"


class ChannelUnavailable(DomainError):
    code = "channel_unavailable"
    status = 404
    message = "该提现渠道未启用"


class TransferUnknown(DomainError):
    """The channel gave no clear answer: the bill may or may not exist until a query says."""

    code = "transfer_unknown"
    status = 502
    message = "转账渠道暂未给出结果，稍后自动查询"


class OpenidRequired(DomainError):
    code = "openid_required"
    status = 409
    message = "提现到微信零钱须在微信小程序中登录后申请"


class TransferMismatch(DomainError):
    code = "transfer_mismatch"
    status = 400
    message = "转账结果与记录不符"


class InvalidMonth(DomainError):
    code = "invalid_month"
    status = 400
    message = "月份须为 YYYY-MM 格式，如 2026-11"
