from fenxiao.errors import DomainError


class UnbalancedTransaction(DomainError):
    code = "unbalanced_transaction"
    status = 500
    message = "记账分录不平衡"
