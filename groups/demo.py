"""Demo step: the study-tour index (研学课程) under the home page with three programmes of the
demo town — a two-day tea study tour, a farming day and a four-day red-culture and farming
camp — each with its days (the demo experiences and meals), group prices and photos.

``load_programmes(ctx)`` is a step of ``python manage.py load_demo`` (home/demo/steps.py), after
the experiences. Idempotent: pages are found again by slug and their inline rows replaced."""

from attractions.models import ExperiencePage
from town.demo.base import home_page, t, upsert_page
from town.models import Village

from .models import (
    ActivityKind,
    ProgrammeActivity,
    ProgrammePhoto,
    ProgrammePriceTier,
    StudyProgrammeIndexPage,
    StudyProgrammePage,
)

INDEX_SLUG = "study-tours"
# (day, kind, experience slug or None, title)
PROGRAMMES = [
    {
        "slug": "tea-hill-two-days",
        "theme": "tea",
        "village": "chashan",
        "title": t("茶山两日研学", "Two days on the tea hill"),
        "intro": t(
            "从一片茶叶认识一座山：采茶、制茶、认识茶树和土壤，住在茶山脚下的民宿。",
            "Learn a hillside from one tea leaf: pick and make tea, study the tea bushes and the "
            "soil, and sleep in a homestay at the foot of the hill.",
        ),
        "goals": t(
            "<ul><li>认识茶树的生长和一芽一叶的采摘标准</li><li>体验杀青、揉捻、烘干的制茶工序</li>"
            "<li>记录一份茶山观察笔记</li></ul>",
            "<ul><li>How tea bushes grow, and the one-bud-one-leaf picking rule</li><li>Fixing, "
            "rolling and drying: the steps of making green tea</li><li>A field notebook of the tea "
            "hill</li></ul>",
        ),
        "ages": ["upper_primary", "junior"],
        "days": 2,
        "months": [3, 4, 5, 9, 10],
        "ratio": 10,
        "min_pupils": 20,
        "price": 32000,
        "tiers": [(40, 29000), (80, 26000)],
        "included": t(
            "一晚民宿住宿（四人间）\n四餐农家饭\n采茶和制茶课\n研学手册\n全程研学导师",
            "One night in a homestay (rooms of four)\nFour farmhouse meals\nThe tea-picking and "
            "tea-making lessons\nA study booklet\nA study guide throughout",
        ),
        "safety": t(
            "茶山步道约两公里，有护栏；每十名学生配一名基地导师。雨天改为室内制茶课。",
            "The tea-hill path is about 2 km with railings; one base guide for every ten pupils. "
            "On rainy days the picking becomes an indoor tea-making lesson.",
        ),
        "insurance": t(
            "报价含每人每天的研学意外险，出发前请提交学生名单。",
            "The quote includes study-tour accident insurance per pupil and day; send the pupils' "
            "list before you come.",
        ),
        "activities": [
            (1, ActivityKind.EXPERIENCE, "tea-picking-study-tour", None),
            (1, ActivityKind.MEAL, None, t("农家午饭和晚饭", "Farmhouse lunch and dinner")),
            (2, ActivityKind.LESSON, None, t("茶园土壤观察", "Looking at the tea garden's soil")),
            (2, ActivityKind.MEAL, None, t("早饭和午饭", "Breakfast and lunch")),
        ],
    },
    {
        "slug": "one-day-on-the-farm",
        "theme": "harvest",
        "village": "taohuawu",
        "title": t("农场一日", "A day on the farm"),
        "intro": t(
            "一天的田间课堂：认识作物、下田劳动、亲手采摘，适合低年级的孩子。",
            "A day's classroom in the fields: know the crops, work in the field and pick fruit. "
            "For the youngest pupils.",
        ),
        "goals": t(
            "<ul><li>认识五种常见作物</li><li>体验一次简单的田间劳动</li></ul>",
            "<ul><li>Know five common crops</li><li>Do a simple piece of field work</li></ul>",
        ),
        "ages": ["lower_primary", "upper_primary"],
        "days": 1,
        "months": [],
        "ratio": 8,
        "min_pupils": 15,
        "price": 16800,
        "tiers": [(50, 14800)],
        "included": t("农场劳动课\n草莓采摘\n午饭", "The farm lesson\nStrawberry picking\nLunch"),
        "safety": t(
            "全程在平地农场，每八名学生配一名导师；工具为儿童安全款。",
            "All on the flat farm, one guide for every eight pupils; tools made for children.",
        ),
        "insurance": t("含当天的研学意外险。", "Accident insurance for the day is included."),
        "activities": [
            (1, ActivityKind.EXPERIENCE, "organic-farming-day", None),
            (1, ActivityKind.MEAL, None, t("农家午饭", "Farmhouse lunch")),
            (1, ActivityKind.EXPERIENCE, "strawberry-picking", None),
        ],
    },
    {
        "slug": "red-culture-and-farming-camp",
        "theme": "ethnic",
        "village": "hongling",
        "title": t("红色文化与农耕四日营", "Four days of red culture and farming"),
        "intro": t(
            "走红岭的红色小道，学畲族竹编，在星空营地过一夜：一次完整的乡村研学。",
            "Walk the red-culture trail of Hongling, learn She bamboo weaving and spend a night at "
            "the starry campsite: a whole rural study tour.",
        ),
        "goals": t(
            "<ul><li>了解红岭的革命历史</li><li>学习畲族竹编技艺</li><li>团队露营和自理能力</li></ul>",
            "<ul><li>The revolutionary history of Hongling</li><li>She bamboo weaving</li><li>Camping "
            "as a team and looking after oneself</li></ul>",
        ),
        "ages": ["junior", "senior"],
        "days": 4,
        "months": [4, 5, 6, 7, 8, 9, 10],
        "ratio": 12,
        "min_pupils": 30,
        "price": 38000,
        "tiers": [(60, 35000), (120, 32000)],
        "included": t(
            "两晚民宿、一晚露营\n全部餐食\n竹编课和材料\n红色讲解\n研学导师和随队医生",
            "Two nights in homestays and one camping\nAll meals\nThe weaving lesson and "
            "materials\nThe red-culture guide\nStudy guides and a doctor with the group",
        ),
        "safety": t(
            "营地有夜间值守和医务点；每十二名学生配一名导师。",
            "The campsite is watched at night and has a first-aid post; one guide for every twelve pupils.",
        ),
        "insurance": t("含研学意外险。", "Study-tour accident insurance is included."),
        "activities": [
            (1, ActivityKind.VISIT, None, t("红岭红色小道", "The Hongling red-culture trail")),
            (1, ActivityKind.MEAL, None, t("午饭和晚饭", "Lunch and dinner")),
            (2, ActivityKind.EXPERIENCE, "she-bamboo-weaving", None),
            (2, ActivityKind.MEAL, None, t("三餐", "Three meals")),
            (3, ActivityKind.EXPERIENCE, "organic-farming-day", None),
            (3, ActivityKind.EXPERIENCE, "starry-campsite-night", None),
            (4, ActivityKind.MEAL, None, t("营地早饭", "Breakfast at the camp")),
        ],
    },
]


def _village(ctx, slug, lang):
    village = ctx.villages.get((slug, lang))
    if village is None:
        village = Village.objects.filter(slug=slug, locale=ctx.locale(lang)).first()
    return village


def _experience(ctx, slug, lang):
    page = ctx.pages.get((slug, lang))
    if page is None:
        page = ExperiencePage.objects.filter(slug=slug, locale=ctx.locale(lang)).first()
    return page


def load_programmes(ctx):
    home = home_page(ctx)

    def fill_index(page, lang):
        page.title = {"zh": "研学课程", "en": "Study tours"}[lang]
        page.intro = {
            "zh": "<p>面向中小学和团队的农业研学：采茶、农耕、红色文化和非遗手艺，一天到四天。</p>",
            "en": "<p>Farming study tours for schools and groups: tea, the fields, red culture "
            "and crafts, from one day to four.</p>",
        }[lang]
        page.show_in_menus = False

    index, _en = upsert_page(ctx, home, StudyProgrammeIndexPage, INDEX_SLUG, fill_index)
    for item in PROGRAMMES:
        image = ctx.image(f"programme-{item['slug']}", item["theme"], item["title"])

        def fill(page, lang, item=item, image=image):
            page.title = item["title"][lang]
            page.intro = item["intro"][lang]
            page.search_description = item["intro"][lang]
            page.image = image
            page.learning_goals = item["goals"][lang]
            page.age_groups = item["ages"]
            page.duration_days = item["days"]
            page.months_in_season = item["months"]
            page.village = _village(ctx, item["village"], lang)
            page.included = item["included"][lang]
            page.safety_notes = item["safety"][lang]
            page.insurance_notes = item["insurance"][lang]
            page.pupils_per_teacher = item["ratio"]
            page.min_pupils = item["min_pupils"]
            page.price_per_pupil_day_fen = item["price"]
            page.price_tiers = [
                ProgrammePriceTier(min_pupils=size, price_per_pupil_day_fen=price, sort_order=n)
                for n, (size, price) in enumerate(item["tiers"])
            ]
            page.activities = [
                ProgrammeActivity(
                    day=day,
                    kind=kind,
                    experience=_experience(ctx, slug, lang) if slug else None,
                    title=title[lang] if title else "",
                    sort_order=n,
                )
                for n, (day, kind, slug, title) in enumerate(item["activities"])
            ]
            # The gallery: the photos of the experiences the programme uses.
            shown = [_experience(ctx, slug, lang) for _day, _kind, slug, _title in item["activities"] if slug]
            page.photos = [
                ProgrammePhoto(image=experience.image, caption=experience.title, sort_order=n)
                for n, experience in enumerate(dict.fromkeys(p for p in shown if p and p.image_id))
            ]

        upsert_page(ctx, index, StudyProgrammePage, item["slug"], fill)
    ctx.log(f"  study-tour programmes: {len(PROGRAMMES)}")


DEMO_SCHOOL = "青溪镇中心小学"
DEMO_PHONE = "+8613900000002"


def _tea_slot_and_room(ctx, *, days_ahead):
    """The first open tea-picking slot at least ``days_ahead`` days ahead and the roomiest room
    type: what the demo schools' quotes are built of (None where there is none)."""
    import datetime

    from django.utils import timezone

    from attractions.models import TourSlot, TourSlotStatus
    from homestays.models import RoomType

    tea = _experience(ctx, "tea-picking-study-tour", "zh")
    after = timezone.now() + datetime.timedelta(days=days_ahead)
    slot = (
        TourSlot.objects.filter(experience=tea, status=TourSlotStatus.OPEN, starts_at__gte=after)
        .order_by("starts_at")
        .first()
    )
    room = RoomType.objects.filter(locale=ctx.zh).select_related("page").order_by("-units", "pk").first()
    return slot, room


def load_enquiry_and_quote(ctx):
    """A school's enquiry for the tea programme and its sent quote, built from the demo town's
    inventory (a homestay's rooms, a tea-picking slot, an entry window, meals and a coach)."""
    import datetime

    from django.utils import timezone

    from gates.models import EntryWindow

    from .models import GroupEnquiry, Quote, QuoteLine, QuoteStatus

    if GroupEnquiry.objects.filter(organisation=DEMO_SCHOOL).exists():
        return
    slot, room = _tea_slot_and_room(ctx, days_ahead=14)
    if slot is None or room is None:
        ctx.log("  group quote: no tea slot or rooms to quote; skipped")
        return
    day1 = timezone.localdate(slot.starts_at)
    day2 = day1 + datetime.timedelta(days=1)
    window = EntryWindow.objects.filter(rule__active=True, starts_at__date=day2).order_by("starts_at").first()
    programme = StudyProgrammePage.objects.filter(slug="tea-hill-two-days", locale=ctx.zh).first()
    now = timezone.now()
    enquiry = GroupEnquiry.objects.create(
        organisation=DEMO_SCHOOL,
        kind="school",
        start_date=day1,
        end_date=day2,
        pupils=20,
        teachers=2,
        ages="10–12",
        programme=programme,
        wishes="想加一次红色文化馆参观，最后一天下午三点前返校。",
        budget_fen=2_000_000,
        contact_name="王老师",
        contact_phone=DEMO_PHONE,
        phone_verified_at=now,
        status="quoted",
    )
    quote = Quote.objects.create(
        enquiry=enquiry,
        valid_until=ctx.today + datetime.timedelta(days=10),
        deposit_percent=30,
        hold_hours=48,
        status=QuoteStatus.SENT,
        sent_at=now,
        note="老师您好：按两天一晚安排，学生四人一间，老师两人一间。",
    )
    people = enquiry.people
    lines = [
        QuoteLine(kind="stay", day=day1, room_type=room, quantity=min(room.units, 6), unit_price_fen=24000),
        QuoteLine(
            kind="tour",
            day=day1,
            tour_slot=slot,
            quantity=min(people, slot.effective_capacity),
            unit_price_fen=9800,
        ),
        QuoteLine(kind="meal", day=day1, description="农家午饭和晚饭", quantity=people, unit_price_fen=6000),
        QuoteLine(kind="meal", day=day2, description="早饭和午饭", quantity=people, unit_price_fen=4000),
        QuoteLine(
            kind="transport",
            day=day2,
            description="大巴接送（学校—青溪镇往返）",
            quantity=1,
            unit_price_fen=260000,
        ),
    ]
    if window is not None:
        lines.insert(
            4, QuoteLine(kind="entry", day=day2, entry_window=window, quantity=people, unit_price_fen=0)
        )
    for n, line in enumerate(lines):
        line.quote, line.sort_order = quote, n
        line.full_clean()
        line.save()
    _load_roster(ctx, quote)
    ctx.log(f"  group quote: /groups/quote/{quote.token}/")


DEMO_PUPILS = ("张小明", "李小红", "王浩然", "陈思琪", "刘子涵", "赵一鸣")
DEMO_TEACHERS = (("王老师", "1985-01-01", "+8613900000002"), ("李老师", "1990-09-12", ""))


def _load_roster(ctx, quote):
    """Part of the class already on the roster, as the organiser would upload it (a GBK CSV, as
    Excel in China saves one). The ID numbers are made up (region 330106, valid check digits)."""
    import csv
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile

    from gates import idcards

    from . import rosters, services

    def id_number(born, serial):
        first17 = f"330106{born.replace('-', '')}{serial:03d}"
        return first17 + idcards.check_digit(first17)

    born_year = ctx.today.year - 11
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([column.header for column in rosters.COLUMNS])
    for n, name in enumerate(DEMO_PUPILS, start=1):
        born = f"{born_year}-0{n}-1{n}"
        writer.writerow([name, "学生", "身份证", id_number(born, 10 + n), born, ""])
    for n, (name, born, phone) in enumerate(DEMO_TEACHERS, start=1):
        writer.writerow([name, "教师", "身份证", id_number(born, 30 + n), born, phone])
    upload = SimpleUploadedFile("花名册.csv", out.getvalue().encode("gbk"))
    try:
        services.upload_roster(quote, upload, today=ctx.today)
    except rosters.RosterRejected as exc:
        ctx.log(f"  group roster: refused ({exc.errors[0].message}); skipped")


DEMO_ACCEPTED_SCHOOL = "红星实验中学"
DEMO_ACCEPTED_PHONE = "+8613900000003"


def load_accepted_quote(ctx):
    """A second school that accepted its quote (everything held, one order), sent its roster, asked
    for a company invoice (发票) and paid the deposit by bank transfer, recorded by the office: the
    balance is outstanding."""
    import datetime

    from django.utils import timezone

    from orders import deposits, invoices

    from . import services
    from .models import GroupEnquiry, Quote, QuoteLine, QuoteStatus

    if GroupEnquiry.objects.filter(organisation=DEMO_ACCEPTED_SCHOOL).exists():
        return
    slot, room = _tea_slot_and_room(ctx, days_ahead=30)
    if slot is None or room is None:
        ctx.log("  accepted group quote: no tea slot or rooms; skipped")
        return
    day1 = timezone.localdate(slot.starts_at)
    now = timezone.now()
    enquiry = GroupEnquiry.objects.create(
        organisation=DEMO_ACCEPTED_SCHOOL,
        kind="school",
        start_date=day1,
        end_date=day1 + datetime.timedelta(days=1),
        pupils=12,
        teachers=2,
        ages="12–13",
        contact_name="李老师",
        contact_phone=DEMO_ACCEPTED_PHONE,
        phone_verified_at=now,
        status="quoted",
    )
    quote = Quote.objects.create(
        enquiry=enquiry,
        valid_until=ctx.today + datetime.timedelta(days=10),
        deposit_percent=30,
        hold_hours=48,
        status=QuoteStatus.SENT,
        sent_at=now,
    )
    people = enquiry.people
    lines = [
        QuoteLine(kind="stay", day=day1, room_type=room, quantity=min(room.units, 4), unit_price_fen=24000),
        QuoteLine(
            kind="tour",
            day=day1,
            tour_slot=slot,
            quantity=min(people, slot.effective_capacity),
            unit_price_fen=9800,
        ),
        QuoteLine(kind="meal", day=day1, description="农家晚饭", quantity=people, unit_price_fen=5000),
    ]
    for n, line in enumerate(lines):
        line.quote, line.sort_order = quote, n
        line.full_clean()
        line.save()
    _load_roster(ctx, quote)
    result = services.accept_quote(quote)
    if not result.accepted:
        ctx.log("  accepted group quote: " + "; ".join(item.reason for item in result.unavailable))
        return
    # The school pays from its own account and needs the invoice in its name (a public
    # institution: credit codes of 事业单位 start with 12).
    first17 = "12330106MB1234567"
    invoices.request_invoice(
        result.order,
        {
            "kind": "company",
            "title": DEMO_ACCEPTED_SCHOOL,
            "tax_number": first17 + invoices.credit_code_check_char(first17),
            "email": "finance@hongxing-school.example.cn",
        },
    )
    state = deposits.parts_paid(result.order)
    deposits.record_bank_transfer(
        result.order,
        amount_fen=state.deposit_fen,
        paid_on=ctx.today,
        reference=f"DEMO-{result.order.reference}",
        by_user=None,
    )
    ctx.log(f"  accepted group quote: /groups/quote/{quote.token}/ → order {result.order.reference}")


# Groups of the past year that took their quote, for the study-tour report: (weeks ago, first
# day a Saturday; organisation, kind, programme slug or None, pupils, teachers, other adults,
# homestay village or None, coach fen or 0). Past only: their rooms and seats were never held.
BOOKED_GROUPS = [
    (38, "桃溪小学四年级", "school", "one-day-on-the-farm", 52, 6, 0, None, 180000),
    (33, "城南实验小学", "school", "tea-hill-two-days", 45, 5, 0, "chashan", 260000),
    (32, "市第三中学初二", "school", "red-culture-and-farming-camp", 64, 6, 2, "hongling", 420000),
    (29, "青溪镇中心小学五年级", "school", "tea-hill-two-days", 38, 4, 0, "chashan", 240000),
    (28, "启明外国语学校", "school", "red-culture-and-farming-camp", 120, 10, 4, "hongling", 780000),
    (11, "桃溪小学三年级", "school", "one-day-on-the-farm", 30, 4, 0, None, 120000),
    (7, "城南实验小学", "school", "tea-hill-two-days", 82, 8, 0, "chashan", 480000),
    (4, "江南农科公司", "company", None, 0, 0, 26, "shibanjie", 0),
    (2, "城南实验小学六年级", "school", "one-day-on-the-farm", 40, 4, 0, None, 150000),
]


def load_booked_groups(ctx):
    """Past enquiries whose quotes were accepted (rooms in the programme's village, the
    programme's tours where the day had a slot, meals and a coach): the study-tour report's
    figures. After the sales history, whose past Saturday slots the tours use. Skipped when
    accepted quotes of past groups exist already (the demo ran, or real ones came)."""
    import datetime

    from django.utils import timezone

    from attractions.models import TourSlot, TourSlotStatus
    from homestays.models import RoomType

    from .models import ActivityKind, EnquiryStatus, GroupEnquiry, Quote, QuoteLine, QuoteStatus

    if Quote.objects.filter(status=QuoteStatus.ACCEPTED, enquiry__start_date__lt=ctx.today).exists():
        return
    now = timezone.now()
    last_saturday = ctx.today - datetime.timedelta(days=(ctx.today.weekday() - 5) % 7 or 7)
    made = 0
    for weeks, organisation, kind, slug, pupils, teachers, adults, stay_in, coach in BOOKED_GROUPS:
        programme = StudyProgrammePage.objects.filter(slug=slug, locale=ctx.zh).first() if slug else None
        if slug and programme is None:
            continue
        days = programme.duration_days if programme else 2
        start = last_saturday - datetime.timedelta(weeks=weeks)
        end = start + datetime.timedelta(days=days - 1)
        enquiry = GroupEnquiry.objects.create(
            organisation=organisation,
            kind=kind,
            start_date=start,
            end_date=end,
            pupils=pupils,
            teachers=teachers,
            adults=adults,
            programme=programme,
            wishes="" if programme else "公司团建：两天采茶、住古街民宿。",
            contact_name="刘老师" if kind == "school" else "陈经理",
            contact_phone=DEMO_PHONE,
            phone_verified_at=now,
            status=EnquiryStatus.BOOKED,
            created_at=timezone.make_aware(datetime.datetime.combine(start, datetime.time(9)))
            - datetime.timedelta(days=45),
        )
        quote = Quote.objects.create(
            enquiry=enquiry,
            valid_until=start - datetime.timedelta(days=20),
            status=QuoteStatus.ACCEPTED,
            sent_at=enquiry.created_at + datetime.timedelta(days=2),
        )
        people = enquiry.people
        lines = []
        if stay_in and days > 1:
            room = (
                RoomType.objects.filter(locale=ctx.zh, page__village__slug=stay_in)
                .order_by("-units", "pk")
                .first()
            )
            if room is not None:
                rooms = min(room.units, max(1, people // 4))
                lines.append(
                    QuoteLine(
                        kind="stay",
                        day=start,
                        room_type=room,
                        nights=days - 1,
                        quantity=rooms,
                        unit_price_fen=22000,
                    )
                )
        if programme is not None:
            experiences = [
                a.experience for a in programme.activities.all() if a.kind == ActivityKind.EXPERIENCE
            ]
            for experience in (e for e in experiences if e is not None):
                slot = (  # the past slots are on Saturdays, the groups' first days
                    TourSlot.objects.filter(
                        experience=experience, status=TourSlotStatus.OPEN, starts_at__date=start
                    )
                    .order_by("starts_at")
                    .first()
                )
                if slot is not None:  # the group takes the seats it has, the rest do a lesson
                    lines.append(
                        QuoteLine(
                            kind="tour",
                            day=start,
                            tour_slot=slot,
                            quantity=min(people, slot.effective_capacity),
                            unit_price_fen=8800,
                        )
                    )
        # Meals, a line a day; a group without a programme has no village for them (not assigned).
        for n in range(days):
            lines.append(
                QuoteLine(
                    kind="meal",
                    day=start + datetime.timedelta(days=n),
                    description="研学餐食" if programme else "农家饭",
                    quantity=people,
                    unit_price_fen=5500,
                )
            )
        if coach:
            lines.append(
                QuoteLine(
                    kind="transport", day=start, description="大巴往返", quantity=1, unit_price_fen=coach
                )
            )
        for n, line in enumerate(lines):
            line.quote, line.sort_order = quote, n
            line.full_clean()
            line.save()
        made += 1
    ctx.log(f"  booked groups (accepted quotes): {made}")
