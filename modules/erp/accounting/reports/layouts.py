"""The statement layouts as data: the lines of the income statement (B02-DN) and of the balance sheet (B01-DN),
and, per chart, which accounts feed which line.

A source ``(prefix, line, rule)`` sends every account whose code starts with ``prefix`` to ``line``. An account
follows its longest matching prefix only (``3387`` unearned revenue is not also in ``338`` other payables), and
a prefix may feed several lines by side (``131`` debit balances are receivables, credit balances are customer
advances, party by party).

Rules, on an account's figures:
  income statement (the period's lines, closing entries into 911 left out)
    ``cr``  credits - debits        ``dr``  debits - credits
    ``credit`` credits only         ``debit`` debits only (TT133 records deductions as debits of 511)
  balance sheet (balances at a date, debit positive)
    ``dr``  the debit balance as it is (a contra account such as 214 comes out negative)
    ``cr``  the credit balance as it is
    ``dr+`` / ``cr+``    only the debit / credit balances, account by account
    ``dr+p`` / ``cr+p``  only the debit / credit balances, party by party (receivables and payables are shown
                         gross: a customer's advance is a liability, not less receivable)
Accounts of the result (revenue, costs, 911) are not mapped here: their balance not yet closed is this period's
profit, shown in line 421 with retained earnings. An asset, liability or equity account no source reaches
falls into a catch-all line (155, 319, 414) and is named under the statement, so totals always agree.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Line:
    code: str
    name_vi: str
    name_en: str
    formula: tuple[tuple[str, int], ...] = ()  # other lines with their signs; empty: fed by accounts
    level: int = 0
    strong: bool = False

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_vi


@dataclass(frozen=True)
class Source:
    prefix: str
    line: str
    rule: str


def _sum(*codes: str) -> tuple[tuple[str, int], ...]:
    """``_sum("20", "21", "-22")``: line 20 plus 21 minus 22."""
    return tuple((code.lstrip("-"), -1 if code.startswith("-") else 1) for code in codes)


INCOME_STATEMENT = [
    Line("01", "Doanh thu bán hàng và cung cấp dịch vụ", "Revenue from sales of goods and services"),
    Line("02", "Các khoản giảm trừ doanh thu", "Revenue deductions"),
    Line("10", "Doanh thu thuần về bán hàng và cung cấp dịch vụ", "Net revenue", _sum("01", "-02"), strong=True),
    Line("11", "Giá vốn hàng bán", "Cost of goods sold"),
    Line("20", "Lợi nhuận gộp về bán hàng và cung cấp dịch vụ", "Gross profit", _sum("10", "-11"), strong=True),
    Line("21", "Doanh thu hoạt động tài chính", "Financial income"),
    Line("22", "Chi phí tài chính", "Financial expenses"),
    Line("23", "Trong đó: Chi phí lãi vay", "of which: interest expense", level=1),
    Line("25", "Chi phí bán hàng", "Selling expenses"),
    Line("26", "Chi phí quản lý doanh nghiệp", "General and administrative expenses"),
    Line("30", "Lợi nhuận thuần từ hoạt động kinh doanh", "Operating profit",
         _sum("20", "21", "-22", "-25", "-26"), strong=True),
    Line("31", "Thu nhập khác", "Other income"),
    Line("32", "Chi phí khác", "Other expenses"),
    Line("40", "Lợi nhuận khác", "Other profit", _sum("31", "-32"), strong=True),
    Line("50", "Tổng lợi nhuận kế toán trước thuế", "Accounting profit before tax", _sum("30", "40"), strong=True),
    Line("51", "Chi phí thuế TNDN hiện hành", "Current corporate income tax expense"),
    Line("52", "Chi phí thuế TNDN hoãn lại", "Deferred corporate income tax expense"),
    Line("60", "Lợi nhuận sau thuế thu nhập doanh nghiệp", "Profit after tax", _sum("50", "-51", "-52"),
         strong=True),
]

INCOME_SOURCES = {
    "tt99": [
        Source("511", "01", "cr"), Source("521", "02", "dr"), Source("632", "11", "dr"), Source("515", "21", "cr"),
        Source("635", "22", "dr"), Source("641", "25", "dr"), Source("642", "26", "dr"), Source("711", "31", "cr"),
        Source("811", "32", "dr"), Source("821", "51", "dr"), Source("8211", "51", "dr"),
        Source("8212", "52", "dr"),
    ],
    # TT133: no 521 (deductions are debits of 511), no 641 (642 splits into 6421 selling, 6422 administration),
    # no deferred tax account (821 is all current tax).
    "tt133": [
        Source("511", "01", "credit"), Source("511", "02", "debit"), Source("632", "11", "dr"),
        Source("515", "21", "cr"), Source("635", "22", "dr"), Source("6421", "25", "dr"), Source("642", "26", "dr"),
        Source("6422", "26", "dr"), Source("711", "31", "cr"), Source("811", "32", "dr"), Source("821", "51", "dr"),
    ],
}

BALANCE_SHEET = [
    Line("100", "A. TÀI SẢN NGẮN HẠN", "A. CURRENT ASSETS", _sum("110", "120", "130", "140", "150"), strong=True),
    Line("110", "I. Tiền và các khoản tương đương tiền", "I. Cash and cash equivalents", _sum("111", "112"),
         strong=True),
    Line("111", "1. Tiền", "1. Cash", level=1),
    Line("112", "2. Các khoản tương đương tiền", "2. Cash equivalents", level=1),
    Line("120", "II. Đầu tư tài chính ngắn hạn", "II. Short-term financial investments", _sum("121", "122", "123"),
         strong=True),
    Line("121", "1. Chứng khoán kinh doanh", "1. Trading securities", level=1),
    Line("122", "2. Dự phòng giảm giá chứng khoán kinh doanh (*)", "2. Provision for trading securities (*)",
         level=1),
    Line("123", "3. Đầu tư nắm giữ đến ngày đáo hạn", "3. Held-to-maturity investments", level=1),
    Line("130", "III. Các khoản phải thu ngắn hạn", "III. Short-term receivables",
         _sum("131", "132", "133", "134", "135", "136", "137", "139"), strong=True),
    Line("131", "1. Phải thu ngắn hạn của khách hàng", "1. Trade receivables", level=1),
    Line("132", "2. Trả trước cho người bán ngắn hạn", "2. Advances to suppliers", level=1),
    Line("133", "3. Phải thu nội bộ ngắn hạn", "3. Internal receivables", level=1),
    Line("134", "4. Phải thu theo tiến độ kế hoạch hợp đồng xây dựng",
         "4. Receivables by construction contract progress", level=1),
    Line("135", "5. Phải thu về cho vay ngắn hạn", "5. Short-term loans receivable", level=1),
    Line("136", "6. Phải thu ngắn hạn khác", "6. Other short-term receivables", level=1),
    Line("137", "7. Dự phòng phải thu ngắn hạn khó đòi (*)", "7. Provision for doubtful receivables (*)", level=1),
    Line("139", "8. Tài sản thiếu chờ xử lý", "8. Shortages awaiting resolution", level=1),
    Line("140", "IV. Hàng tồn kho", "IV. Inventories", _sum("141", "149"), strong=True),
    Line("141", "1. Hàng tồn kho", "1. Inventories", level=1),
    Line("149", "2. Dự phòng giảm giá hàng tồn kho (*)", "2. Provision for inventories (*)", level=1),
    Line("150", "V. Tài sản ngắn hạn khác", "V. Other current assets", _sum("151", "152", "153", "154", "155"),
         strong=True),
    Line("151", "1. Chi phí trả trước ngắn hạn", "1. Short-term prepaid expenses", level=1),
    Line("152", "2. Thuế GTGT được khấu trừ", "2. Deductible VAT", level=1),
    Line("153", "3. Thuế và các khoản khác phải thu Nhà nước", "3. Taxes receivable from the State", level=1),
    Line("154", "4. Giao dịch mua bán lại trái phiếu Chính phủ", "4. Government bond repurchase transactions",
         level=1),
    Line("155", "5. Tài sản ngắn hạn khác", "5. Other current assets", level=1),
    Line("200", "B. TÀI SẢN DÀI HẠN", "B. NON-CURRENT ASSETS", _sum("210", "220", "230", "240", "250", "260"),
         strong=True),
    Line("210", "I. Các khoản phải thu dài hạn", "I. Long-term receivables", strong=True),
    Line("220", "II. Tài sản cố định", "II. Fixed assets", _sum("221", "224", "227"), strong=True),
    Line("221", "1. Tài sản cố định hữu hình", "1. Tangible fixed assets", _sum("222", "223"), level=1),
    Line("222", "- Nguyên giá", "- Cost", level=2),
    Line("223", "- Giá trị hao mòn lũy kế (*)", "- Accumulated depreciation (*)", level=2),
    Line("224", "2. Tài sản cố định thuê tài chính", "2. Finance-leased fixed assets", _sum("225", "226"), level=1),
    Line("225", "- Nguyên giá", "- Cost", level=2),
    Line("226", "- Giá trị hao mòn lũy kế (*)", "- Accumulated depreciation (*)", level=2),
    Line("227", "3. Tài sản cố định vô hình", "3. Intangible fixed assets", _sum("228", "229"), level=1),
    Line("228", "- Nguyên giá", "- Cost", level=2),
    Line("229", "- Giá trị hao mòn lũy kế (*)", "- Accumulated amortisation (*)", level=2),
    Line("230", "III. Bất động sản đầu tư", "III. Investment property", _sum("231", "232"), strong=True),
    Line("231", "- Nguyên giá", "- Cost", level=2),
    Line("232", "- Giá trị hao mòn lũy kế (*)", "- Accumulated depreciation (*)", level=2),
    Line("240", "IV. Tài sản dở dang dài hạn", "IV. Long-term assets in progress", _sum("241", "242"),
         strong=True),
    Line("241", "1. Chi phí sản xuất, kinh doanh dở dang dài hạn", "1. Long-term work in progress", level=1),
    Line("242", "2. Chi phí xây dựng cơ bản dở dang", "2. Construction in progress", level=1),
    Line("250", "V. Đầu tư tài chính dài hạn", "V. Long-term financial investments",
         _sum("251", "252", "253", "254"), strong=True),
    Line("251", "1. Đầu tư vào công ty con", "1. Investments in subsidiaries", level=1),
    Line("252", "2. Đầu tư vào công ty liên doanh, liên kết", "2. Investments in joint ventures and associates",
         level=1),
    Line("253", "3. Đầu tư góp vốn vào đơn vị khác", "3. Equity investments in other entities", level=1),
    Line("254", "4. Dự phòng đầu tư tài chính dài hạn (*)", "4. Provision for long-term investments (*)",
         level=1),
    Line("260", "VI. Tài sản dài hạn khác", "VI. Other non-current assets", _sum("261", "262", "268"),
         strong=True),
    Line("261", "1. Chi phí trả trước dài hạn", "1. Long-term prepaid expenses", level=1),
    Line("262", "2. Tài sản thuế thu nhập hoãn lại", "2. Deferred tax assets", level=1),
    Line("268", "3. Tài sản dài hạn khác", "3. Other non-current assets", level=1),
    Line("270", "TỔNG CỘNG TÀI SẢN", "TOTAL ASSETS", _sum("100", "200"), strong=True),
    Line("300", "C. NỢ PHẢI TRẢ", "C. LIABILITIES", _sum("310", "330"), strong=True),
    Line("310", "I. Nợ ngắn hạn", "I. Current liabilities",
         _sum("311", "312", "313", "314", "315", "316", "317", "318", "319", "320", "321", "322", "323"),
         strong=True),
    Line("311", "1. Phải trả người bán ngắn hạn", "1. Trade payables", level=1),
    Line("312", "2. Người mua trả tiền trước ngắn hạn", "2. Advances from customers", level=1),
    Line("313", "3. Thuế và các khoản phải nộp Nhà nước", "3. Taxes and amounts payable to the State", level=1),
    Line("314", "4. Phải trả người lao động", "4. Payables to employees", level=1),
    Line("315", "5. Chi phí phải trả ngắn hạn", "5. Accrued expenses", level=1),
    Line("316", "6. Phải trả nội bộ ngắn hạn", "6. Internal payables", level=1),
    Line("317", "7. Phải trả theo tiến độ kế hoạch hợp đồng xây dựng",
         "7. Payables by construction contract progress", level=1),
    Line("318", "8. Doanh thu chưa thực hiện ngắn hạn", "8. Unearned revenue", level=1),
    Line("319", "9. Phải trả ngắn hạn khác", "9. Other short-term payables", level=1),
    Line("320", "10. Vay và nợ thuê tài chính ngắn hạn", "10. Short-term borrowings and finance lease liabilities",
         level=1),
    Line("321", "11. Dự phòng phải trả ngắn hạn", "11. Short-term provisions", level=1),
    Line("322", "12. Quỹ khen thưởng, phúc lợi", "12. Bonus and welfare funds", level=1),
    Line("323", "13. Quỹ bình ổn giá", "13. Price stabilisation fund", level=1),
    Line("330", "II. Nợ dài hạn", "II. Non-current liabilities", _sum("338", "341", "343"), strong=True),
    Line("338", "1. Vay và nợ thuê tài chính dài hạn", "1. Long-term borrowings and bonds", level=1),
    Line("341", "2. Thuế thu nhập hoãn lại phải trả", "2. Deferred tax liabilities", level=1),
    Line("343", "3. Quỹ phát triển khoa học và công nghệ", "3. Science and technology development fund", level=1),
    Line("400", "D. VỐN CHỦ SỞ HỮU", "D. OWNERS' EQUITY", _sum("410", "430"), strong=True),
    Line("410", "I. Vốn chủ sở hữu", "I. Owners' equity",
         _sum("411", "412", "413", "414", "415", "416", "417", "418", "420", "421"), strong=True),
    Line("411", "1. Vốn góp của chủ sở hữu", "1. Owners' contributed capital", level=1),
    Line("412", "2. Thặng dư vốn cổ phần", "2. Share premium", level=1),
    Line("413", "3. Quyền chọn chuyển đổi trái phiếu", "3. Bond conversion options", level=1),
    Line("414", "4. Vốn khác của chủ sở hữu", "4. Other owners' capital", level=1),
    Line("415", "5. Cổ phiếu quỹ (*)", "5. Treasury shares (*)", level=1),
    Line("416", "6. Chênh lệch đánh giá lại tài sản", "6. Asset revaluation differences", level=1),
    Line("417", "7. Chênh lệch tỷ giá hối đoái", "7. Foreign exchange differences", level=1),
    Line("418", "8. Quỹ đầu tư phát triển", "8. Development investment fund", level=1),
    Line("420", "9. Quỹ khác thuộc vốn chủ sở hữu", "9. Other equity funds", level=1),
    Line("421", "10. Lợi nhuận sau thuế chưa phân phối", "10. Undistributed profit after tax", level=1),
    Line("430", "II. Nguồn kinh phí và quỹ khác", "II. Funding sources and other funds", strong=True),
    Line("440", "TỔNG CỘNG NGUỒN VỐN", "TOTAL LIABILITIES AND EQUITY", _sum("300", "400"), strong=True),
]

# Where an account no source reaches goes, by its kind (named under the statement).
CATCH_ALL = {"asset": Source("", "155", "dr"), "liability": Source("", "319", "cr"),
             "equity": Source("", "414", "cr")}
RESULT_LINE = "421"  # the result not yet closed (revenue - costs, and 911) joins undistributed profit
ASSET_TOTAL, SOURCES_TOTAL = "270", "440"

_BALANCE_TT99 = [
    Source("111", "111", "dr"), Source("112", "111", "dr"), Source("113", "111", "dr"),
    Source("121", "121", "dr"), Source("2291", "122", "dr"),
    Source("1281", "123", "dr"), Source("1282", "123", "dr"), Source("1288", "123", "dr"),
    Source("131", "131", "dr+p"), Source("131", "312", "cr+p"),
    Source("331", "132", "dr+p"), Source("331", "311", "cr+p"),
    Source("136", "133", "dr"), Source("337", "134", "dr+"), Source("337", "317", "cr+"),
    Source("1283", "135", "dr"),
    Source("138", "136", "dr+"), Source("138", "319", "cr+"), Source("141", "136", "dr"),
    Source("244", "136", "dr"),
    Source("334", "136", "dr+"), Source("334", "314", "cr+"),
    Source("338", "136", "dr+"), Source("338", "319", "cr+"),
    Source("2293", "137", "dr"), Source("1381", "139", "dr"),
    Source("151", "141", "dr"), Source("152", "141", "dr"), Source("153", "141", "dr"), Source("154", "141", "dr"),
    Source("155", "141", "dr"), Source("156", "141", "dr"), Source("157", "141", "dr"), Source("158", "141", "dr"),
    Source("2294", "149", "dr"),
    Source("242", "151", "dr"), Source("133", "152", "dr"),
    Source("333", "153", "dr+"), Source("333", "313", "cr+"),
    Source("171", "154", "dr"),
    Source("211", "222", "dr"), Source("2141", "223", "dr"), Source("212", "225", "dr"), Source("2142", "226", "dr"),
    Source("213", "228", "dr"), Source("2143", "229", "dr"), Source("217", "231", "dr"), Source("2147", "232", "dr"),
    Source("215", "268", "dr"), Source("2295", "268", "dr"),
    Source("241", "242", "dr"),
    Source("221", "251", "dr"), Source("222", "252", "dr"), Source("228", "253", "dr"), Source("2292", "254", "dr"),
    Source("243", "262", "dr"),
    Source("335", "315", "cr"), Source("336", "316", "cr"), Source("3387", "318", "cr"),
    Source("332", "319", "cr"), Source("344", "319", "cr"),
    Source("341", "320", "cr"), Source("352", "321", "cr"), Source("353", "322", "cr"), Source("357", "323", "cr"),
    Source("343", "338", "cr"), Source("347", "341", "cr"), Source("356", "343", "cr"),
    Source("4111", "411", "cr"), Source("4112", "412", "cr"), Source("4113", "413", "cr"),
    Source("4118", "414", "cr"), Source("419", "415", "cr"), Source("412", "416", "cr"), Source("413", "417", "cr"),
    Source("414", "418", "cr"), Source("418", "420", "cr"), Source("421", "421", "cr"),
]

# TT133 differs where its accounts do: fixed assets are sub-accounts of 211 (2111 tangible, 2112 leased,
# 2113 intangible); 2281 is joint ventures and associates, 2288 other investments; 1386 deposits placed.
_TT133_CHANGES = {"2111": Source("2111", "222", "dr"), "2112": Source("2112", "225", "dr"),
                  "2113": Source("2113", "228", "dr"), "2281": Source("2281", "252", "dr"),
                  "2288": Source("2288", "253", "dr")}

BALANCE_SOURCES = {
    "tt99": _BALANCE_TT99,
    "tt133": [source for source in _BALANCE_TT99 if source.prefix not in ("211", "212", "213", "222", "228")]
    + list(_TT133_CHANGES.values()),
}


def sources_for(code: str, sources: list[Source]) -> list[Source]:
    """The sources of the longest prefix of ``code`` that has any (none: the account is not mapped)."""
    best = max((len(source.prefix) for source in sources if code.startswith(source.prefix)), default=0)
    return [source for source in sources if best and source.prefix == code[:best]]
