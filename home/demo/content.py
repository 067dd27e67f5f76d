"""The demo town's words: 青溪镇 (Qingxi Town), a fictional scenic town in the hills.

Plain data, no models: every text is a ``{"zh": ..., "en": ...}`` pair, and every item has a
stable ``slug`` the loader looks it up by, so loading twice changes nothing. Coordinates are
WGS-84 and made up (a hilly cluster around 29.6 N, 118.25 E).
"""

import datetime

from accounts.roles import EDITORS, FARMERS, HOSTS, MODERATORS, VISITORS
from town.demo.base import t

TOWN = {
    "name": t("青溪镇", "Qingxi Town"),
    "county": t("云岭县", "Yunling County"),
    "tagline": t("山水田园 · 茶香桃红", "Hills, tea terraces and peach blossom"),
    "centre": (29.612, 118.262),
}

# ---------------------------------------------------------------- villages
VILLAGES = [
    {
        "slug": "shibanjie",
        "name": t("石板街", "Flagstone Street"),
        "summary": t(
            "镇上的老街区，青石板路两侧是白墙黛瓦的徽派民居、老茶馆和手工作坊，游客中心就在街口。",
            "The old heart of the town: a flagstone lane lined with white-walled Huizhou houses, "
            "tea houses and workshops. The visitor centre is at its gate.",
        ),
        "lat": 29.6121,
        "lng": 118.2618,
        "theme": "village",
    },
    {
        "slug": "taohuawu",
        "name": t("桃花坞", "Peach Blossom Hollow"),
        "summary": t(
            "藏在山坳里的桃源村落，三千亩桃林每年三月满山粉红，七月桃子成熟可以采摘。",
            "A village tucked into a fold of the hills, with three thousand mu of peach orchards "
            "that turn the valley pink in March and ripen for picking in July.",
        ),
        "lat": 29.6452,
        "lng": 118.2214,
        "theme": "peach",
    },
    {
        "slug": "chashan",
        "name": t("茶山村", "Tea Hill Village"),
        "summary": t(
            "云雾缭绕的高山茶村，层层茶垄绕山而上，家家户户制茶，是青溪云雾茶的故乡。",
            "A mist-wrapped hill village where rows of tea wind up the slopes and every family "
            "makes tea: the home of Qingxi cloud-and-mist tea.",
        ),
        "lat": 29.6683,
        "lng": 118.2967,
        "theme": "tea",
    },
    {
        "slug": "zhuyuan",
        "name": t("竹源畲族村", "Zhuyuan She Village"),
        "summary": t(
            "畲族聚居的竹乡山寨，保留着畲歌、彩带编织和三月三歌会，梯田与竹海相依。",
            "A She ethnic mountain village among bamboo forests and terraces, keeping alive its "
            "folk songs, ribbon weaving and the Third-of-the-Third song festival.",
        ),
        "lat": 29.5814,
        "lng": 118.3182,
        "theme": "ethnic",
    },
    {
        "slug": "hongling",
        "name": t("红岭村", "Hongling Village"),
        "summary": t(
            "1930年代红军游击队的根据地，村里的革命纪念馆和红军小道是青少年红色教育基地。",
            "A base of the Red Army guerrillas in the 1930s; its revolutionary memorial hall and "
            "the Red Army Trail are a place of history lessons for schools.",
        ),
        "lat": 29.5662,
        "lng": 118.2051,
        "theme": "memorial",
    },
    {
        "slug": "xikou",
        "name": t("溪口村", "Xikou Village"),
        "summary": t(
            "青溪出山的溪口，竹筏、瀑布、卵石滩和星空营地，夏天最受亲子家庭欢迎。",
            "Where the Qingxi stream leaves the hills: bamboo rafts, a waterfall, pebble beaches "
            "and a campsite under the stars — a summer favourite with families.",
        ),
        "lat": 29.6034,
        "lng": 118.1723,
        "theme": "river",
    },
]

# ---------------------------------------------------------------- attractions
# ``category`` is one of: scenic_spot, village, ethnic_culture, red_culture, farm, camping,
# study_base (the loader maps these to the model's choices).
ATTRACTIONS = [
    {
        "slug": "qingxi-gallery",
        "village": "xikou",
        "category": "scenic_spot",
        "theme": "river",
        "title": t("青溪十里画廊", "Qingxi Ten-Li Gallery"),
        "intro": t(
            "十里溪水，两岸青山如画，可乘竹筏顺流而下，也可沿游步道骑行。",
            "Five kilometres of clear stream between green hills: drift down on a bamboo raft or "
            "cycle the riverside path.",
        ),
        "body": t(
            "<p>青溪在溪口村一带放缓脚步，形成十里长的开阔河谷。沿岸有卵石滩、古樟树和水车，"
            "春天油菜花开，秋天层林尽染。</p><p>竹筏漂流全程约50分钟，由村民撑篙；骑行道平坦，适合亲子。</p>",
            "<p>Around Xikou the Qingxi stream slows into a wide valley five kilometres long, with "
            "pebble beaches, ancient camphor trees and water wheels; rapeseed flowers in spring, "
            "red and gold woods in autumn.</p><p>The bamboo-raft ride takes about 50 minutes, poled "
            "by villagers; the cycle path is flat and good for children.</p>",
        ),
        "lat": 29.6012,
        "lng": 118.1788,
        "address": t("云岭县青溪镇溪口村游船码头", "Raft pier, Xikou Village, Qingxi Town"),
        "opening_hours": t("每天 8:00–17:30（竹筏 4–10 月）", "Daily 8:00–17:30 (rafts April–October)"),
        "ticket_info": t(
            "景区免费；竹筏 80 元/人，1.2 米以下儿童免费",
            "Free entry; raft ¥80 per person, children under 1.2 m free",
        ),
        "tags": ["山水", "漂流", "骑行"],
        "featured": True,
    },
    {
        "slug": "flying-cloud-falls",
        "village": "xikou",
        "category": "scenic_spot",
        "theme": "waterfall",
        "title": t("飞云瀑", "Flying Cloud Falls"),
        "intro": t(
            "落差68米的三叠瀑布，雨后水雾升腾如飞云，是青溪最壮观的一景。",
            "A 68-metre waterfall in three steps; after rain its spray rises like flying cloud.",
        ),
        "body": t(
            "<p>从溪口村步行约40分钟可到瀑布下的观景台，沿途有栈道和竹林。雨季（5–7月）水量最大。</p>"
            "<p>步道部分路段陡峭，请穿防滑鞋。</p>",
            "<p>A 40-minute walk from Xikou through bamboo and along boardwalks leads to the viewing "
            "platform below the falls. They are fullest in the rainy season (May–July).</p><p>Some "
            "stretches are steep: wear shoes with a good grip.</p>",
        ),
        "lat": 29.6158,
        "lng": 118.1586,
        "address": t("云岭县青溪镇溪口村飞云谷", "Feiyun Valley, Xikou Village, Qingxi Town"),
        "opening_hours": t("每天 7:30–17:00，暴雨天关闭", "Daily 7:30–17:00; closed in heavy rain"),
        "ticket_info": t(
            "成人 40 元，学生、60 岁以上老人半价", "Adults ¥40; students and over-60s half price"
        ),
        "tags": ["山水", "徒步", "瀑布"],
        "featured": True,
    },
    {
        "slug": "taohuawu-old-village",
        "village": "taohuawu",
        "category": "village",
        "theme": "peach",
        "title": t("桃花坞古村", "Peach Blossom Hollow Old Village"),
        "intro": t(
            "明代建村的古村落，祠堂、石拱桥和水口林保存完好，三月桃花环村。",
            "A village founded in the Ming dynasty, with its ancestral hall, stone bridges and "
            "guardian grove intact, ringed by peach blossom in March.",
        ),
        "body": t(
            "<p>村口的汪氏宗祠建于明万历年间，木雕精美。村中小巷曲折，家家门前种桃。</p>"
            "<p>桃花节期间有花海徒步、民俗表演和桃花宴。</p>",
            "<p>The Wang ancestral hall at the village gate dates from the Wanli reign and is rich "
            "in wood carving. Lanes wind between houses, each with a peach tree at its door.</p>"
            "<p>During the Peach Blossom Festival there are blossom walks, folk shows and peach "
            "banquets.</p>",
        ),
        "lat": 29.6461,
        "lng": 118.2203,
        "address": t("云岭县青溪镇桃花坞村", "Taohuawu Village, Qingxi Town"),
        "opening_hours": t("全天开放；宗祠 8:30–17:00", "Open all day; ancestral hall 8:30–17:00"),
        "ticket_info": t("免费", "Free"),
        "tags": ["古村", "桃花", "徽派建筑"],
        "featured": True,
    },
    {
        "slug": "flagstone-old-street",
        "village": "shibanjie",
        "category": "village",
        "theme": "village",
        "title": t("石板街老街", "Flagstone Old Street"),
        "intro": t(
            "七百米青石板老街，茶馆、竹编、打铁铺和农家小吃，一步一景。",
            "Seven hundred metres of flagstones: tea houses, bamboo weavers, a blacksmith and "
            "farmhouse snacks at every step.",
        ),
        "body": t(
            "<p>老街沿溪而建，保存着清代至民国的店铺六十余间。逢农历初一、十五有集市，"
            "周边村民挑来新鲜山货。</p><p>游客中心位于老街东口，可领取地图、寄存行李。</p>",
            "<p>The street follows the stream and keeps over sixty shopfronts from the Qing "
            "dynasty to the Republic. On the 1st and 15th of each lunar month a market brings "
            "produce from the hills.</p><p>The visitor centre at the east gate has maps and a "
            "left-luggage room.</p>",
        ),
        "lat": 29.6124,
        "lng": 118.2631,
        "address": t("云岭县青溪镇石板街 1 号", "1 Shiban Street, Qingxi Town"),
        "opening_hours": t("全天开放；店铺约 9:00–21:00", "Open all day; shops about 9:00–21:00"),
        "ticket_info": t("免费", "Free"),
        "tags": ["古街", "美食", "手工艺"],
        "featured": False,
    },
    {
        "slug": "zhuyuan-she-culture-park",
        "village": "zhuyuan",
        "category": "ethnic_culture",
        "theme": "ethnic",
        "title": t("竹源畲族风情园", "Zhuyuan She Culture Park"),
        "intro": t(
            "走进畲家山寨：吊脚楼、梯田、畲族服饰与乌米饭，体验畲族的日常生活。",
            "Step into a She mountain village: wooden houses on stilts, terraces, embroidered dress "
            "and black rice, the everyday life of the She people.",
        ),
        "body": t(
            "<p>风情园由竹源村村民共同经营，每天 10:00 和 15:00 有畲族歌舞表演。</p>"
            "<p>可以在畲家厨房学做乌米饭，在梯田间体验插秧和收稻。</p>",
            "<p>The park is run by the villagers of Zhuyuan; She songs and dances are performed "
            "daily at 10:00 and 15:00.</p><p>Learn to cook black rice in a She kitchen, or plant "
            "and harvest rice in the terraces.</p>",
        ),
        "lat": 29.5823,
        "lng": 118.3195,
        "address": t("云岭县青溪镇竹源畲族村", "Zhuyuan She Village, Qingxi Town"),
        "opening_hours": t("每天 8:30–17:30", "Daily 8:30–17:30"),
        "ticket_info": t("成人 30 元；演出免费", "Adults ¥30; shows included"),
        "tags": ["畲族", "民族文化", "梯田"],
        "featured": True,
    },
    {
        "slug": "she-song-hall",
        "village": "zhuyuan",
        "category": "ethnic_culture",
        "theme": "ethnic",
        "title": t("畲歌堂与彩带工坊", "She Song Hall and Ribbon Workshop"),
        "intro": t(
            "听畲族歌王对唱山歌，跟织娘学编一条属于自己的畲族彩带。",
            "Hear the village's best singers trade folk songs, and weave your own She ribbon with "
            "the weavers.",
        ),
        "body": t(
            "<p>畲族彩带是国家级非物质文化遗产，纹样记录着畲族的历史与信仰。</p>"
            "<p>彩带体验课约 90 分钟，适合 8 岁以上。</p>",
            "<p>She ribbon weaving is national intangible cultural heritage; its patterns record "
            "the people's history and beliefs.</p><p>The weaving class takes about 90 minutes, "
            "ages 8 and up.</p>",
        ),
        "lat": 29.5798,
        "lng": 118.3221,
        "address": t("云岭县青溪镇竹源畲族村歌堂路 8 号", "8 Getang Road, Zhuyuan She Village"),
        "opening_hours": t("周二至周日 9:00–17:00，周一闭馆", "Tuesday–Sunday 9:00–17:00; closed Mondays"),
        "ticket_info": t("参观免费；彩带体验 60 元/人", "Free to visit; weaving class ¥60 per person"),
        "tags": ["畲族", "非遗", "手工艺"],
        "featured": False,
    },
    {
        "slug": "hongling-memorial-hall",
        "village": "hongling",
        "category": "red_culture",
        "theme": "memorial",
        "title": t("红岭革命纪念馆", "Hongling Revolutionary Memorial Hall"),
        "intro": t(
            "讲述 1930 年代红军游击队在青溪山区坚持斗争的历史，馆前是革命烈士纪念碑。",
            "The story of the Red Army guerrillas who held out in the Qingxi hills in the 1930s, "
            "with the martyrs' monument in front.",
        ),
        "body": t(
            "<p>纪念馆由游击队指挥部旧址改建，展出文物三百余件。每天有讲解员免费讲解。</p>"
            "<p>团体参观请提前一天预约。</p>",
            "<p>The hall occupies the guerrillas' former headquarters and shows over three hundred "
            "objects. Guides give free tours every day.</p><p>Groups please book a day ahead.</p>",
        ),
        "lat": 29.5668,
        "lng": 118.2043,
        "address": t("云岭县青溪镇红岭村纪念馆路 1 号", "1 Memorial Road, Hongling Village"),
        "opening_hours": t("周二至周日 9:00–16:30，周一闭馆", "Tuesday–Sunday 9:00–16:30; closed Mondays"),
        "ticket_info": t("免费，凭身份证预约", "Free; book with your ID"),
        "tags": ["红色文化", "历史", "研学"],
        "featured": True,
    },
    {
        "slug": "red-army-trail",
        "village": "hongling",
        "category": "red_culture",
        "theme": "mountain",
        "title": t("红军小道", "Red Army Trail"),
        "intro": t(
            "重走当年游击队的山间小道，6 公里林间步道，沿途有哨所和密营遗址。",
            "Walk the guerrillas' path through the forest: six kilometres past old sentry posts "
            "and hidden camps.",
        ),
        "body": t(
            "<p>步道从纪念馆出发，翻越红岭到达溪口村，全程约 3 小时，中等强度。</p>"
            "<p>沿途设有 5 处解说牌和 2 处补给点。</p>",
            "<p>The trail starts at the memorial hall and crosses the ridge to Xikou: about three "
            "hours, moderate.</p><p>Five information boards and two rest stops along the way.</p>",
        ),
        "lat": 29.5751,
        "lng": 118.1912,
        "address": t("起点：红岭革命纪念馆后山", "Start: behind the Hongling Memorial Hall"),
        "opening_hours": t("日出至日落", "Sunrise to sunset"),
        "ticket_info": t("免费", "Free"),
        "tags": ["红色文化", "徒步"],
        "featured": False,
    },
    {
        "slug": "peach-picking-garden",
        "village": "taohuawu",
        "category": "farm",
        "theme": "farm",
        "title": t("桃花坞采摘园", "Peach Hollow Picking Garden"),
        "intro": t(
            "六月至八月采水蜜桃，秋天摘猕猴桃，现摘现称，农户直销。",
            "Pick honey peaches from June to August and kiwi fruit in autumn, weighed on the spot "
            "and sold by the growers.",
        ),
        "body": t(
            "<p>采摘园由 26 户果农合作经营，其中不少是村里的脱贫户。</p>"
            "<p>园内提供竹篮和剪刀，可寄送全国。</p>",
            "<p>Twenty-six growers run the garden as a co-operative, many from the village's "
            "low-income households.</p><p>Baskets and clippers provided; shipping nationwide.</p>",
        ),
        "lat": 29.6427,
        "lng": 118.2262,
        "address": t("云岭县青溪镇桃花坞村南坡", "South slope, Taohuawu Village"),
        "opening_hours": t("6 月–10 月 每天 8:00–18:00", "June–October, daily 8:00–18:00"),
        "ticket_info": t("入园免费；水蜜桃 15 元/斤", "Free entry; peaches ¥15 per jin (500 g)"),
        "tags": ["采摘", "亲子", "农家"],
        "featured": False,
    },
    {
        "slug": "tea-hill-organic-garden",
        "village": "chashan",
        "category": "farm",
        "theme": "tea",
        "title": t("茶山有机茶园", "Tea Hill Organic Tea Garden"),
        "intro": t(
            "海拔 600 米的有机茶园，清明前后可跟茶农上山采茶、学习手工炒茶。",
            "An organic tea garden at 600 metres: around Qingming, pick tea with the growers and "
            "learn to pan-fire it by hand.",
        ),
        "body": t(
            "<p>青溪云雾茶芽叶细嫩、香气清高。茶园采用生态种植，不施化学农药。</p>"
            "<p>采茶体验含茶篓、斗笠和一次炒茶课，约 2 小时。</p>",
            "<p>Qingxi cloud-and-mist tea has fine young buds and a clear, high aroma. The garden "
            "is farmed without chemical pesticides.</p><p>The tea-picking session includes a "
            "basket, a straw hat and a pan-firing lesson: about two hours.</p>",
        ),
        "lat": 29.6702,
        "lng": 118.2988,
        "address": t("云岭县青溪镇茶山村云雾坪", "Yunwu Terrace, Tea Hill Village"),
        "opening_hours": t("每天 8:00–17:00", "Daily 8:00–17:00"),
        "ticket_info": t("入园免费；采茶体验 68 元/人", "Free entry; tea-picking session ¥68 per person"),
        "tags": ["茶文化", "采摘", "农家"],
        "featured": True,
    },
    {
        "slug": "xikou-starry-campsite",
        "village": "xikou",
        "category": "camping",
        "theme": "camping",
        "title": t("溪口星空营地", "Xikou Starry Sky Campsite"),
        "intro": t(
            "溪畔草坪营地，可自带帐篷或租用装备，夜晚观星、篝火和露天电影。",
            "A meadow campsite by the stream: bring a tent or hire one, then stargazing, a campfire "
            "and open-air films.",
        ),
        "body": t(
            "<p>营地有 40 个帐篷位、10 个房车位，提供热水淋浴和充电。</p>"
            "<p>周末晚上有天文爱好者带领观星。</p>",
            "<p>Forty tent pitches and ten camper-van bays, with hot showers and charging points."
            "</p><p>Amateur astronomers lead stargazing on weekend evenings.</p>",
        ),
        "lat": 29.5986,
        "lng": 118.1701,
        "address": t("云岭县青溪镇溪口村河滩路", "Hetan Road, Xikou Village"),
        "opening_hours": t(
            "全年开放，入营 14:00 后，离营 12:00 前", "Open all year; check in after 14:00, leave by 12:00"
        ),
        "ticket_info": t("帐篷位 120 元/晚；装备租赁另计", "Pitch ¥120 per night; gear hire extra"),
        "tags": ["露营", "亲子", "观星"],
        "featured": True,
    },
    {
        "slug": "tea-hill-study-base",
        "village": "chashan",
        "category": "study_base",
        "theme": "study",
        "title": t("茶山自然研学基地", "Tea Hill Nature Study Base"),
        "intro": t(
            "面向中小学生的研学基地：茶叶科学、山林生态与农耕体验课程。",
            "A study base for school groups: the science of tea, forest ecology and hands-on farming.",
        ),
        "body": t(
            "<p>基地设有茶叶实验室、昆虫观察园和可容纳 120 人的课堂，课程由县农技站专家设计。</p>"
            "<p>接受学校和家庭团体预约，一日营或两日营。</p>",
            "<p>A tea laboratory, an insect garden and a classroom for 120; courses designed with "
            "the county's farming-technology station.</p><p>Schools and family groups book one-"
            "or two-day camps.</p>",
        ),
        "lat": 29.6659,
        "lng": 118.3024,
        "address": t("云岭县青溪镇茶山村学堂坡 3 号", "3 Xuetang Slope, Tea Hill Village"),
        "opening_hours": t("预约开放，周一至周六", "By booking, Monday–Saturday"),
        "ticket_info": t("一日营 158 元/人（含午餐）", "One-day camp ¥158 per person, lunch included"),
        "tags": ["研学", "茶文化", "亲子"],
        "featured": False,
    },
]

CATEGORY_LABELS = {
    "scenic_spot": t("景点", "Scenic spot"),
    "village": t("村落", "Village"),
    "ethnic_culture": t("民族文化", "Ethnic culture"),
    "red_culture": t("红色文化", "Red culture"),
    "farm": t("农场 / 采摘园", "Farm / picking garden"),
    "camping": t("露营", "Camping"),
    "study_base": t("研学基地", "Study base"),
}

# English for the tags (tags are shared strings, so English pages get English tags).
TAG_EN = {
    "山水": "landscape",
    "漂流": "rafting",
    "骑行": "cycling",
    "徒步": "hiking",
    "瀑布": "waterfall",
    "古村": "old village",
    "桃花": "peach blossom",
    "徽派建筑": "Huizhou architecture",
    "古街": "old street",
    "美食": "food",
    "手工艺": "crafts",
    "畲族": "She people",
    "民族文化": "ethnic culture",
    "梯田": "terraces",
    "非遗": "intangible heritage",
    "红色文化": "red culture",
    "历史": "history",
    "研学": "study tour",
    "采摘": "picking",
    "亲子": "family",
    "农家": "farm life",
    "茶文化": "tea culture",
    "露营": "camping",
    "观星": "stargazing",
}

# ---------------------------------------------------------------- routes
ROUTES = [
    {
        "slug": "blossom-and-tea",
        "theme": "peach",
        "title": t("花与茶一日游", "Blossom and Tea in a Day"),
        "intro": t(
            "从老街出发，穿过桃花坞的花海，登上茶山采茶，傍晚在畲家山寨听山歌。",
            "From the old street through the peach blossom of Taohuawu, up to the tea terraces, "
            "and on to a She village for songs at dusk.",
        ),
        "duration": t("1 天", "1 day"),
        "duration_hours": 8,
        "distance_km": 28,
        "stops": [
            (
                "flagstone-old-street",
                t(
                    "在游客中心领地图，喝一碗早茶。",
                    "Pick up a map at the visitor centre and have a morning tea.",
                ),
            ),
            (
                "taohuawu-old-village",
                t(
                    "穿过宗祠和石拱桥，花季人多，建议 9 点前到。",
                    "Through the ancestral hall and over the stone bridges; in "
                    "blossom season arrive before 9.",
                ),
            ),
            (
                "peach-picking-garden",
                t(
                    "夏季可以采桃，春季在园里吃桃花宴。",
                    "Pick peaches in summer; in spring have the blossom banquet.",
                ),
            ),
            (
                "tea-hill-organic-garden",
                t(
                    "午后跟茶农采茶、炒茶，约 2 小时。",
                    "An afternoon picking and pan-firing tea with the growers: about two hours.",
                ),
            ),
            (
                "zhuyuan-she-culture-park",
                t(
                    "赶上 15:00 的畲族歌舞，晚饭尝乌米饭。",
                    "Catch the 15:00 She song and dance, then black rice for dinner.",
                ),
            ),
        ],
    },
    {
        "slug": "red-ridge-and-river",
        "theme": "river",
        "title": t("红岭溪口两日行", "Red Ridge and River in Two Days"),
        "intro": t(
            "第一天重温红色历史、走红军小道，第二天看瀑布、坐竹筏，夜宿星空营地。",
            "Day one for history and the Red Army Trail; day two for the waterfall and a raft "
            "ride, with a night under the stars.",
        ),
        "duration": t("2 天 1 晚", "2 days, 1 night"),
        "duration_hours": 32,
        "distance_km": 22,
        "stops": [
            (
                "flagstone-old-street",
                t(
                    "老街集合，乘镇公交 3 路到红岭村（25 分钟）。",
                    "Meet on the old street and take town bus 3 to Hongling (25 minutes).",
                ),
            ),
            ("hongling-memorial-hall", t("跟讲解员参观，约 1 小时。", "A guided visit of about an hour.")),
            (
                "red-army-trail",
                t(
                    "翻越红岭到溪口，约 3 小时，带足饮水。",
                    "Over the ridge to Xikou: about three hours, carry water.",
                ),
            ),
            (
                "xikou-starry-campsite",
                t("入营搭帐篷，晚上篝火观星。", "Pitch the tent, then campfire and stars."),
            ),
            (
                "flying-cloud-falls",
                t(
                    "第二天清早去瀑布，光线和水雾最好。",
                    "Early on day two for the falls, when light and spray are best.",
                ),
            ),
            (
                "qingxi-gallery",
                t(
                    "乘竹筏漂完十里画廊，终点有返镇班车。",
                    "Raft the Ten-Li Gallery; a bus back to town leaves from the end.",
                ),
            ),
        ],
    },
]

# ---------------------------------------------------------------- events
# Each festival recurs yearly; the loader puts it at its next start on or after today, so the
# demo always has upcoming events. ``month``/``day`` is the usual start, ``days`` its length.
EVENTS = [
    {
        "slug": "lantern-fair",
        "theme": "lantern",
        "month": 2,
        "day": 10,
        "days": 6,
        "title": t("青溪花灯庙会", "Qingxi Lantern Fair"),
        "intro": t(
            "正月里的老街挂满花灯：舞龙、猜灯谜、打年糕和年货市集。",
            "In the first lunar month the old street fills with lanterns: dragon dances, lantern "
            "riddles, rice-cake pounding and a New Year market.",
        ),
        "body": t(
            "<p>庙会已举办三十多届，是青溪人过年最热闹的日子。元宵夜有游灯巡街。</p>",
            "<p>Now in its thirtieth-odd year, the fair is the liveliest time of the Qingxi New "
            "Year. On Lantern Night a lantern parade winds through the streets.</p>",
        ),
        "venue": t("石板街老街及镇文化广场", "Flagstone Old Street and the town culture square"),
        "organiser": t("青溪镇人民政府、青溪镇文化站", "Qingxi Town Government and Culture Station"),
        "venue_attraction": "flagstone-old-street",
        "programme": [
            (0, "10:00", t("开幕式与舞龙", "Opening and dragon dance")),
            (0, "14:00", t("年货市集开市", "New Year market opens")),
            (2, "19:00", t("猜灯谜晚会", "Lantern riddle evening")),
            (5, "19:30", t("元宵游灯巡街", "Lantern parade")),
        ],
    },
    {
        "slug": "peach-blossom-festival",
        "theme": "peach",
        "month": 3,
        "day": 20,
        "days": 24,
        "title": t("桃花坞桃花节", "Peach Blossom Festival"),
        "intro": t(
            "三千亩桃花盛开，花海徒步、汉服巡游、摄影大赛和桃花宴。",
            "Three thousand mu of peach trees in flower: blossom walks, a hanfu parade, a "
            "photography contest and peach banquets.",
        ),
        "body": t(
            "<p>花期约三周，具体以当年花情为准。节日期间开通老街至桃花坞的免费接驳车。</p>",
            "<p>The blossom lasts about three weeks, depending on the year. A free shuttle runs "
            "between the old street and Taohuawu during the festival.</p>",
        ),
        "venue": t("桃花坞古村", "Peach Blossom Hollow Old Village"),
        "organiser": t(
            "青溪镇旅游办公室、桃花坞村委会", "Qingxi Tourism Office and Taohuawu Village Committee"
        ),
        "venue_attraction": "taohuawu-old-village",
        "programme": [
            (0, "09:30", t("开幕式与汉服巡游", "Opening and hanfu parade")),
            (0, "11:30", t("桃花宴", "Peach blossom banquet")),
            (1, "08:00", t("花海徒步（8 公里）", "Blossom walk (8 km)")),
            (7, "14:00", t("摄影大赛评选", "Photography contest judging")),
        ],
    },
    {
        "slug": "tea-picking-festival",
        "theme": "tea",
        "month": 5,
        "day": 1,
        "days": 5,
        "title": t("茶山采茶节", "Tea Hill Tea-Picking Festival"),
        "intro": t(
            "跟茶农上山采茶、看炒茶比赛、品新茶，畲族姑娘唱采茶歌。",
            "Pick tea with the growers, watch the pan-firing contest, taste the new tea and hear "
            "She tea-picking songs.",
        ),
        "body": t(
            "<p>采茶节与五一假期同期，茶山村 40 户茶农开门迎客，新茶可现场购买。</p>",
            "<p>The festival coincides with the May Day holiday; forty tea-growing families open "
            "their doors and sell the new tea on the spot.</p>",
        ),
        "venue": t("茶山有机茶园", "Tea Hill Organic Tea Garden"),
        "organiser": t("茶山村茶叶专业合作社", "Tea Hill Tea Growers' Co-operative"),
        "venue_attraction": "tea-hill-organic-garden",
        "programme": [
            (0, "09:00", t("开茶仪式", "Tea-opening ceremony")),
            (0, "10:00", t("采茶体验", "Tea picking")),
            (1, "14:00", t("手工炒茶大赛", "Hand pan-firing contest")),
            (4, "15:00", t("斗茶会与闭幕", "Tea tasting contest and closing")),
        ],
    },
    {
        "slug": "harvest-festival",
        "theme": "harvest",
        "month": 9,
        "day": 22,
        "days": 10,
        "title": t("中国农民丰收节 · 青溪稻香季", "Farmers' Harvest Festival: Qingxi Rice Season"),
        "intro": t(
            "秋分时节稻谷金黄：开镰仪式、农耕趣味赛、丰收市集和长桌宴。",
            "Golden rice at the autumn equinox: the first cut, farm games, a harvest market and a "
            "long-table feast.",
        ),
        "body": t(
            "<p>每年秋分是中国农民丰收节。竹源梯田开镰后，全镇农户把新米、山货带到市集。</p>",
            "<p>The autumn equinox is China's Farmers' Harvest Festival. After the first cut in "
            "the Zhuyuan terraces, farmers from the whole town bring new rice and hill produce to "
            "the market.</p>",
        ),
        "venue": t("竹源畲族村梯田与石板街", "Zhuyuan terraces and Flagstone Street"),
        "organiser": t("青溪镇人民政府", "Qingxi Town Government"),
        "venue_attraction": "zhuyuan-she-culture-park",
        "programme": [
            (0, "09:00", t("开镰仪式", "First cut of the rice")),
            (0, "13:00", t("农耕趣味运动会", "Farm games")),
            (2, "10:00", t("丰收市集", "Harvest market")),
            (9, "17:30", t("千人长桌宴", "Long-table feast")),
        ],
    },
]


VENUE_LABEL = t("地点：", "Where: ")


def next_occurrence(today, month, day, days):
    """Start and end date of a yearly event, the next one that starts after ``today``."""
    start = datetime.date(today.year, month, day)
    if start <= today:
        start = datetime.date(today.year + 1, month, day)
    return start, start + datetime.timedelta(days=days - 1)


# ---------------------------------------------------------------- standard pages
# Body blocks as (block_type, value) with language pairs; the loader renders them to the block
# names of town.blocks.BaseStreamBlock.
ABOUT = {
    "slug": "about",
    "theme": "mountain",
    "title": t("关于青溪", "About Qingxi"),
    "intro": t(
        "青溪镇位于云岭县东部山区，一条青溪串起六个村落。",
        "Qingxi Town lies in the eastern hills of Yunling County, six villages strung along one "
        "clear stream.",
    ),
    "body": [
        ("heading", t("山水之间的小镇", "A town between hills and water")),
        (
            "paragraph",
            t(
                "<p>青溪镇面积 126 平方公里，森林覆盖率 82%，常住人口约 1.8 万。"
                "这里有明清古村、高山茶园、畲族山寨和红色旧址。</p>"
                "<p>近年来，镇上发展乡村旅游、民宿和农产品电商，带动低收入农户增收。</p>",
                "<p>Qingxi covers 126 square kilometres, 82% of it forest, with about 18,000 residents. "
                "It has Ming and Qing villages, high tea gardens, a She ethnic village and "
                "revolutionary sites.</p><p>In recent years the town has built up rural tourism, "
                "homestays and online sales of farm produce, raising the income of its low-income "
                "households.</p>",
            ),
        ),
        (
            "image",
            {"theme": "village", "key": "about-town", "title": t("青溪镇全景", "Qingxi Town panorama")},
        ),
        ("heading", t("六个村落", "Six villages")),
        (
            "table",
            {
                "header": [t("村落", "Village"), t("特色", "Known for"), t("最佳季节", "Best season")],
                "rows": [
                    [
                        t("石板街", "Flagstone Street"),
                        t("老街、集市", "Old street, market"),
                        t("全年", "All year"),
                    ],
                    [
                        t("桃花坞", "Peach Blossom Hollow"),
                        t("桃花、采摘", "Blossom, picking"),
                        t("3–4 月、6–8 月", "Mar–Apr, Jun–Aug"),
                    ],
                    [
                        t("茶山村", "Tea Hill Village"),
                        t("云雾茶", "Cloud-and-mist tea"),
                        t("4–5 月", "Apr–May"),
                    ],
                    [
                        t("竹源畲族村", "Zhuyuan She Village"),
                        t("畲族文化、梯田", "She culture, terraces"),
                        t("9–10 月", "Sep–Oct"),
                    ],
                    [t("红岭村", "Hongling Village"), t("红色文化", "Red culture"), t("全年", "All year")],
                    [
                        t("溪口村", "Xikou Village"),
                        t("漂流、露营", "Rafting, camping"),
                        t("5–10 月", "May–Oct"),
                    ],
                ],
            },
        ),
        (
            "cta",
            {
                "title": t("规划你的行程", "Plan your visit"),
                "text": t("看看交通方式和推荐线路。", "See how to get here and our suggested routes."),
                "link_label": t("交通指南", "Getting here"),
                "link_page": "getting-here",
            },
        ),
    ],
}

GETTING_HERE = {
    "slug": "getting-here",
    "theme": "river",
    "title": t("交通指南", "Getting here"),
    "intro": t(
        "高铁到云岭站，再乘 40 分钟旅游专线即到青溪镇游客中心。",
        "Take the high-speed train to Yunling, then the 40-minute tourist bus to the Qingxi visitor centre.",
    ),
    "body": [
        ("heading", t("高铁与大巴", "Train and bus")),
        (
            "paragraph",
            t(
                "<p>云岭站每天有往返杭州、上海、合肥的高铁。出站后在 2 号口乘 <b>青溪旅游专线</b>，"
                "7:30–18:30 每 30 分钟一班，票价 12 元。</p>",
                "<p>Yunling station has daily high-speed trains to and from Hangzhou, Shanghai and "
                "Hefei. From exit 2 take the <b>Qingxi tourist bus</b>, every 30 minutes from 7:30 to "
                "18:30, fare ¥12.</p>",
            ),
        ),
        (
            "table",
            {
                "header": [t("出发地", "From"), t("方式", "By"), t("时间", "Time")],
                "rows": [
                    [t("杭州", "Hangzhou"), t("高铁 + 专线", "Train + bus"), t("约 2 小时", "About 2 h")],
                    [t("上海", "Shanghai"), t("高铁 + 专线", "Train + bus"), t("约 3 小时", "About 3 h")],
                    [t("合肥", "Hefei"), t("高铁 + 专线", "Train + bus"), t("约 2.5 小时", "About 2.5 h")],
                    [t("云岭县城", "Yunling town"), t("自驾", "Car"), t("约 35 分钟", "About 35 min")],
                ],
            },
        ),
        ("heading", t("游客中心", "Visitor centre")),
        (
            "map",
            {
                "title": t("青溪镇游客中心", "Qingxi visitor centre"),
                "lat": 29.6119,
                "lng": 118.2645,
                "zoom": 15,
            },
        ),
        (
            "paragraph",
            t(
                "<p>自驾请导航至“青溪镇游客中心”，停车场 10 元/天。镇内有 1–3 路公交连接各村，"
                "游客中心可租电动自行车。</p>",
                "<p>Drivers: navigate to the Qingxi visitor centre; parking ¥10 per day. Town buses "
                "1–3 link the villages, and e-bikes can be hired at the visitor centre.</p>",
            ),
        ),
        (
            "image",
            {
                "theme": "river",
                "key": "getting-here-road",
                "title": t("沿溪而行的公路", "The road along the stream"),
            },
        ),
        (
            "cta",
            {
                "title": t("看看推荐线路", "Try a suggested route"),
                "text": t("一日游或两日游，跨村串起精华景点。", "One or two days across the villages."),
                "link_label": t("景点与线路", "Attractions and routes"),
                "link_page": "attractions",
            },
        ),
    ],
}

# Getting here first: About links to it.
STANDARD_PAGES = [GETTING_HERE, ABOUT]

# ---------------------------------------------------------------- home and footer
HOME = {
    "title": t("青溪镇", "Qingxi Town"),
    "hero_title": t("来青溪，过几天田园日子", "Come to Qingxi for a few days of country life"),
    "hero_text": t(
        "桃花、茶山、畲家歌声和一条清澈的溪水。住民宿、采新茶、买农户自家的山货。",
        "Peach blossom, tea hills, She songs and a clear stream. Stay in a homestay, pick the new "
        "tea, and buy produce straight from the farmers.",
    ),
    "hero_cta": t("探索景点", "Explore the attractions"),
    "hero_theme": "mountain",
    "hero_image_title": t("青溪镇的群山与凉亭", "The hills of Qingxi and a hilltop pavilion"),
    "plan_links": [
        (t("交通指南", "Getting here"), "getting-here"),
        (t("景点与线路", "Attractions and routes"), "attractions"),
        (t("节庆活动", "Festivals and events"), "events"),
        (t("关于青溪", "About Qingxi"), "about"),
    ],
}

INDEXES = {
    "attractions": {
        "title": t("景点与线路", "Attractions and routes"),
        "intro": t(
            "六个村落，十二处景点，两条跨村线路。",
            "Six villages, twelve places to see, two routes across them.",
        ),
    },
    "events": {
        "title": t("节庆活动", "Festivals and events"),
        "intro": t("一年四季的乡村节庆。", "Country festivals through the year."),
    },
}

FOOTER = {
    "address": t(
        "云岭县青溪镇石板街 1 号 青溪镇游客中心",
        "Qingxi Visitor Centre, 1 Shiban Street, Qingxi Town, Yunling County",
    ),
    "hotline": "0559-6812345",
    "opening_hours": t(
        "每天 8:00–17:30（节假日延长至 20:00）", "Daily 8:00–17:30 (until 20:00 on public holidays)"
    ),
    "email": "hello@tianyuan.example",
    "copyright": t("青溪镇旅游办公室", "Qingxi Town Tourism Office"),
    "social": [
        ("微信 WeChat", "https://weixin.qq.com/"),
        ("微博 Weibo", "https://weibo.com/"),
        ("抖音 Douyin", "https://www.douyin.com/"),
    ],
}

# ---------------------------------------------------------------- users
# (email, display name, role group or None, is_staff, is_superuser)
USERS = [
    ("admin@tianyuan.example", "管理员 Admin", None, True, True),
    ("editor@tianyuan.example", "旅游办 李编辑", EDITORS, True, False),
    ("moderator@tianyuan.example", "审核员 周敏", MODERATORS, True, False),
    ("host@tianyuan.example", "民宿主 王桂芳", HOSTS, False, False),
    ("farmer@tianyuan.example", "茶农 汪建国", FARMERS, False, False),
    ("visitor@tianyuan.example", "游客 陈晓", VISITORS, False, False),
]
# Visitors who sign in with a mobile number and an SMS code (printed on the console in
# development): (number, display name, role group).
PHONE_USERS = [
    ("+8613900000000", "游客 王芳", VISITORS),
]
