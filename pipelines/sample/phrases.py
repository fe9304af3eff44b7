"""Phrase banks of the sample corpus: everyday sentences, chat turns and the contexts of planted cases.

Templates use `{slot}` fields filled from `SLOTS[lang]`; the planted-case banks use a bare `{}` where the
generator puts the planted value, so it knows the value's offsets. Everything here is made up: no name, number or
address belongs to a real person. Ordinary sentences hold no digit runs, names or e-mail addresses, so that only
planted records carry personal information (R7, R10: the ground truth must be exact).
"""

from __future__ import annotations

Bank = dict[str, tuple[str, ...]]

# Data tables, laid out by hand for reading.
# fmt: off

SLOTS: dict[str, Bank] = {
    "zh": {
        "time": (
            "今天早上", "昨天晚上", "上周末", "前几天", "这个月初", "周三下午", "刚才", "去年冬天",
            "上个假期", "今天中午", "国庆节那几天", "端午节前", "前天傍晚", "上个月底", "春节回家时",
            "清明假期",
        ),
        "city": (
            "杭州", "成都", "西安", "厦门", "青岛", "大理", "苏州", "长沙", "昆明", "南京", "重庆", "桂林",
            "哈尔滨", "洛阳", "扬州", "丽江", "武汉", "天津", "贵阳", "泉州", "开封", "敦煌", "三亚",
            "景德镇",
        ),
        "spot": (
            "古城", "老街", "湖边", "山顶", "博物馆", "寺庙旁的小巷", "海边栈道", "夜市", "植物园", "古镇",
            "城墙", "江边公园", "美术馆", "老码头",
        ),
        "dish": (
            "番茄炒蛋", "红烧肉", "酸菜鱼", "麻婆豆腐", "葱油拌面", "可乐鸡翅", "清蒸鲈鱼", "土豆炖牛腩",
            "蒜蓉西兰花", "鸡蛋灌饼", "糖醋排骨", "皮蛋瘦肉粥", "韭菜盒子", "宫保鸡丁", "酸辣土豆丝",
            "地三鲜",
        ),
        "ingredient": (
            "葱姜", "生抽", "老抽", "冰糖", "料酒", "花椒", "八角", "香菜", "蚝油", "白胡椒粉", "香醋",
            "豆瓣酱",
        ),
        "market": ("菜市场", "早市", "社区超市", "农贸市场", "生鲜店"),
        "bake": ("戚风蛋糕", "蔓越莓饼干", "全麦面包", "蛋挞", "披萨", "烤鸡翅", "香蕉磅蛋糕"),
        "soup": ("排骨汤", "鸡汤", "玉米汤", "冬瓜汤", "番茄蛋汤", "鲫鱼汤", "萝卜羊肉汤"),
        "leftover": (
            "两个鸡蛋和半颗白菜", "一根胡萝卜和几片火腿", "一块豆腐和一把青菜", "半碗米饭和一点虾仁",
            "几个土豆和一小块腊肉",
        ),
        "meat": ("鸡腿肉", "牛肉片", "五花肉", "排骨", "虾仁", "里脊肉"),
        "filling": ("猪肉白菜", "韭菜鸡蛋", "三鲜", "香菇鸡肉", "芹菜牛肉", "玉米虾仁"),
        "kitchen_tool": ("菜刀", "砧板", "不粘锅", "电饭煲", "空气炸锅", "料理机", "铸铁锅"),
        "friend": (
            "室友", "同事", "表姐", "大学同学", "邻居", "老朋友", "妈妈", "爸爸", "姐姐", "奶奶", "舅舅",
            "健身房认识的朋友", "高中同桌",
        ),
        "feeling": ("有点累", "挺开心的", "心情不错", "特别放松", "有些焦虑", "很满足", "有点失落", "轻松了不少"),
        "duration": ("十分钟", "二十分钟", "半个小时", "一个多小时", "两个小时", "大半天", "四十分钟"),
        "period": ("一个月", "两个多月", "整整一学期", "三周", "大半年", "一个寒假"),
        "weather": ("小雨", "大风", "暴雨", "阴雨", "雷阵雨", "小雪", "大雾", "毛毛雨"),
        "temp": ("十几度", "三十多度", "零下五六度", "二十度左右", "将近四十度", "七八度"),
        "season": ("春天", "夏天", "秋天", "冬天", "梅雨季", "三伏天"),
        "drink": ("热茶", "咖啡", "热可可", "姜茶", "菊花茶", "柠檬水", "大麦茶"),
        "subject": ("高等数学", "英语口语", "线性代数", "日语", "编程", "会计", "有机化学", "统计学", "法语"),
        "exam": ("期末考试", "四六级", "考研", "驾照科目一", "教师资格证考试", "雅思", "注册会计师考试"),
        "study_place": ("图书馆", "自习室", "咖啡馆", "教学楼的空教室", "社区阅览室"),
        "elective": ("摄影选修课", "心理学导论", "艺术史", "中国古代建筑", "环境科学", "葡萄酒文化"),
        "app": ("地图软件", "记账软件", "背单词软件", "视频会议软件", "笔记软件", "天气软件", "待办清单软件"),
        "work_thing": ("季度报告", "项目方案", "客户提案", "年终总结", "预算表", "需求文档", "培训材料"),
        "colleague": ("组长", "实习生", "隔壁部门的同事", "项目经理", "设计师", "部门领导"),
        "method": ("番茄工作法", "待办清单", "四象限法", "时间块", "每日复盘"),
        "lunch": ("牛肉面", "黄焖鸡", "麻辣烫", "沙拉", "盖浇饭", "饺子", "米线"),
        "place": ("公园", "图书馆", "咖啡馆", "江边", "书店", "社区活动中心", "湖边步道", "老街"),
        "wind": ("大风", "一阵狂风", "沙尘", "冷风"),
        "breakfast": ("燕麦粥和鸡蛋", "豆浆油条", "全麦面包和牛奶", "小米粥和包子", "酸奶和水果"),
        "sport": ("跑步", "游泳", "打羽毛球", "练瑜伽", "骑行", "爬山", "跳绳", "打太极"),
        "steps": ("几千", "五六千", "七八千", "上万"),
        "device": ("笔记本电脑", "平板", "智能手表", "路由器", "降噪耳机", "电子阅读器", "手机"),
        "tool": ("表格函数", "小脚本", "自动化工具", "数据透视表", "快捷指令"),
        "hobby": ("拼乐高", "画水彩", "弹吉他", "练书法", "种多肉", "钓鱼", "做手账", "拍照", "织毛衣", "下围棋"),
        "instrument": ("吉他", "尤克里里", "钢琴", "古筝", "口琴", "架子鼓"),
        "plant": ("月季", "茉莉", "多肉", "薄荷", "小番茄", "绿萝", "栀子花"),
        "club": ("读书会", "摄影小组", "合唱团", "书法班", "徒步群", "桌游社"),
        "craft": ("相册", "钥匙扣", "皮质卡包", "陶瓷杯", "毛线帽", "书签"),
        "show": ("话剧", "民乐演出", "脱口秀", "画展", "音乐会", "皮影戏"),
        "pet": ("橘猫", "柯基", "仓鼠", "垂耳兔", "虎皮鹦鹉", "金毛", "布偶猫", "小柴犬"),
        "shop": ("面包店", "花店", "社区超市", "二手书店", "咖啡馆", "水果店", "文具店"),
        "fruit": ("草莓", "荔枝", "西瓜", "橘子", "樱桃", "枇杷", "葡萄", "芒果"),
        "snack": ("烤红薯", "糖葫芦", "煎饼果子", "烤冷面", "冰粉", "桂花糕", "臭豆腐", "生煎包"),
        "flower": ("向日葵", "郁金香", "百合", "满天星", "康乃馨", "洋桔梗"),
        "ball": ("羽毛球", "乒乓球", "篮球", "网球", "排球"),
        "race": ("半程马拉松", "五公里夜跑", "城市定向赛", "环湖骑行活动", "登山比赛"),
        "match": ("足球比赛", "篮球比赛", "排球比赛", "乒乓球比赛"),
        "outdoor": ("爬山", "骑行", "徒步", "露营", "划船"),
        "count": ("五百", "一千", "两千", "八百"),
        "book": (
            "一本推理小说", "一本历史随笔", "一本科幻小说", "一本讲城市规划的书", "一本散文集",
            "一本关于宇宙的科普书", "一本植物图鉴", "一本旅行笔记",
        ),
        "film": ("一部纪录片", "一部老电影", "一部动画片", "一部悬疑片", "一部国产科幻片", "一部家庭喜剧"),
        "theme": ("城市与记忆", "科幻里的未来", "家庭与成长", "旅行文学", "自然写作"),
        "small_joy": ("喝一杯热茶", "听两首歌", "看几页书", "给花浇浇水", "晒晒太阳", "下楼走一圈"),
        "achievement": ("考试通过了", "学会了做蛋糕", "跑完了五公里", "被老师表扬了", "找到了喜欢的新工作"),
        "activity": ("跳广场舞", "放风筝", "遛狗", "下象棋", "拍照", "打太极"),
        "smell": ("桂花", "海风", "烤肉", "雨后泥土", "米粉汤", "炒栗子"),
        "route": ("湖边", "城墙", "海边公路", "河堤", "老城区"),
        "souvenir": ("茶叶", "明信片", "手工香皂", "当地点心", "小冰箱贴", "扎染围巾"),
    },
    "en": {
        "time": (
            "this morning", "last night", "last weekend", "a few days ago", "on Wednesday afternoon",
            "earlier today", "last winter", "over the holidays", "at lunchtime", "the day before yesterday",
            "at the end of last month", "on Sunday evening", "during the long weekend",
        ),
        "city": (
            "Lisbon", "Kyoto", "Vancouver", "Edinburgh", "Melbourne", "Prague", "Seattle", "Porto", "Hanoi",
            "Barcelona", "Montreal", "Oslo", "Krakow", "Valencia", "Auckland", "Dublin", "Ljubljana",
            "Tallinn",
        ),
        "spot": (
            "old town", "harbour", "hilltop park", "riverside path", "botanical garden", "night market",
            "cathedral square", "lighthouse", "covered market", "sea wall", "castle ruins", "flower market",
        ),
        "dish": (
            "mushroom risotto", "chicken curry", "lentil soup", "banana bread", "shakshuka", "beef stew",
            "veggie lasagna", "fish tacos", "pad thai", "roast potatoes", "pancakes", "fried rice",
            "minestrone", "stuffed peppers", "dumplings",
        ),
        "ingredient": (
            "garlic", "smoked paprika", "fresh ginger", "lemon zest", "soy sauce", "cumin", "chili flakes",
            "basil", "butter", "brown sugar", "fish sauce",
        ),
        "friend": (
            "my roommate", "a coworker", "my cousin", "an old friend", "my neighbour", "my sister", "my dad",
            "my mum", "my grandmother", "a friend from college", "my brother", "my aunt",
        ),
        "feeling": (
            "a bit tired", "really cheerful", "pretty relaxed", "slightly anxious", "oddly content",
            "a little low",
        ),
        "duration": (
            "ten minutes", "twenty minutes", "half an hour", "almost an hour", "two hours",
            "most of the afternoon",
        ),
        "period": ("a month", "two months", "a whole semester", "three weeks", "almost a year", "six weeks"),
        "weather": ("light rain", "strong wind", "thick fog", "a thunderstorm", "drizzle", "snow flurries", "hail"),
        "temp": (
            "below freezing", "in the mid-thirties", "around twenty degrees", "unusually warm",
            "barely above zero",
        ),
        "season": ("spring", "summer", "autumn", "winter", "the rainy season"),
        "drink": ("green tea", "black coffee", "hot chocolate", "ginger tea", "chamomile tea", "lemon water"),
        "subject": (
            "statistics", "organic chemistry", "Spanish", "calculus", "economics", "programming",
            "music theory", "art history", "Japanese",
        ),
        "exam": ("finals", "the driving theory test", "the language exam", "my accounting exam", "the entrance exam"),
        "study_place": ("the library", "a quiet café", "an empty lecture hall", "the study room", "my kitchen table"),
        "elective": ("photography", "intro to psychology", "urban design", "marine biology", "film studies"),
        "app": ("budgeting app", "language app", "note-taking app", "calendar app", "weather app", "habit tracker"),
        "work_thing": (
            "quarterly report", "project proposal", "client presentation", "budget sheet", "product spec",
            "training deck", "year-end review",
        ),
        "colleague": (
            "my manager", "the new intern", "a colleague from another team", "the project lead",
            "our designer",
        ),
        "method": ("the Pomodoro technique", "a simple to-do list", "time blocking", "a weekly review"),
        "lunch": ("ramen", "a burrito", "a big salad", "pho", "a falafel wrap", "soup and bread"),
        "place": (
            "the park", "the library", "a café", "the farmers' market", "the riverside", "a bookshop",
            "the community centre",
        ),
        "breakfast": ("oatmeal with berries", "eggs on toast", "yogurt and fruit", "a smoothie", "porridge"),
        "sport": ("running", "swimming", "cycling", "yoga", "climbing", "rowing", "tennis", "hiking"),
        "device": ("laptop", "tablet", "smartwatch", "e-reader", "router", "headphones", "phone"),
        "tool": ("spreadsheet formulas", "a small script", "keyboard shortcuts", "pivot tables"),
        "hobby": (
            "watercolour painting", "knitting", "birdwatching", "baking sourdough", "playing chess",
            "pottery", "gardening", "woodworking", "journaling", "film photography",
        ),
        "instrument": ("guitar", "ukulele", "piano", "violin", "harmonica", "drums"),
        "plant": ("tomato plants", "basil", "orchid", "sunflowers", "lavender", "lemon tree"),
        "club": ("book club", "hiking group", "community choir", "chess club", "running club"),
        "craft": ("photo album", "knitted scarf", "leather wallet", "clay mug", "bookmark"),
        "show": ("play", "jazz concert", "stand-up show", "art exhibition", "folk music night"),
        "pet": ("cat", "puppy", "rabbit", "hamster", "parrot", "old beagle", "tabby", "greyhound"),
        "shop": ("bakery", "flower shop", "corner shop", "second-hand bookshop", "coffee place", "fruit stall"),
        "fruit": ("strawberries", "peaches", "cherries", "plums", "mangoes", "blueberries"),
        "snack": ("roasted chestnuts", "a cinnamon roll", "a bowl of noodles", "fresh churros", "a mango smoothie"),
        "flower": ("sunflowers", "tulips", "lilies", "peonies", "daffodils"),
        "race": ("half marathon", "five-kilometre park run", "charity bike ride", "trail race"),
        "match": ("football match", "basketball game", "volleyball final", "tennis match"),
        "outdoor": ("hiking", "cycling", "camping", "kayaking"),
        "book": (
            "a mystery novel", "a collection of short stories", "a book about city planning",
            "a history of tea", "a science fiction trilogy", "a memoir about sailing",
            "a popular science book about the ocean",
        ),
        "film": (
            "a documentary about whales", "an old black-and-white comedy", "an animated film",
            "a slow-burn thriller", "a space drama",
        ),
        "theme": ("cities and memory", "the future in science fiction", "growing up", "travel writing"),
        "small_joy": (
            "a cup of tea", "two favourite songs", "a few pages of a book", "watering the plants",
            "ten minutes in the sun",
        ),
        "achievement": (
            "passed my exam", "baked my first cake", "ran five kilometres", "got a new job",
            "finished my project",
        ),
        "activity": ("flying kites", "walking their dogs", "playing chess", "dancing", "taking photos"),
        "route": ("the lake", "the old city walls", "the coast road", "the canal"),
        "souvenir": ("tea", "postcards", "handmade soap", "local sweets", "a fridge magnet", "a wool scarf"),
        "kitchen_tool": ("knife", "cast-iron pan", "rice cooker", "air fryer", "blender"),
        "meat": ("chicken thighs", "beef strips", "pork belly", "tofu", "prawns"),
        "soup": ("chicken soup", "tomato soup", "pumpkin soup", "bean soup"),
        "market": ("farmers' market", "corner grocer", "street market", "supermarket"),
    },
}

# Everyday topics; each record draws sentences from one or more of them (R3: a diverse ordinary corpus).
TOPICS: dict[str, Bank] = {
    "cooking": {
        "zh": (
            "{time}在家做了{dish}，{ingredient}放得刚刚好，{friend}说比饭店的还好吃。",
            "做{dish}的关键是火候，先大火翻炒，再转小火焖{duration}。",
            "我习惯周末去{market}买菜，早一点去蔬菜最新鲜，摊主还会多送一把葱。",
            "第一次尝试{dish}的时候{ingredient}放多了，味道有点怪，好在第二次就成功了。",
            "{friend}教了我一个小窍门：炒青菜最后再放盐，菜叶会更脆。",
            "最近迷上了烤箱，照着视频做了{bake}，满屋子都是香味。",
            "外卖吃多了总觉得油腻，还是自己做的{dish}最合胃口。",
            "煮{soup}的时候水要一次加够，中途加冷水会影响口感。",
            "冰箱里只剩{leftover}，最后凑出了一顿像样的晚饭，自己都觉得挺有成就感。",
            "这道{dish}我已经做了不下十次，每次都会根据心情调整{ingredient}的用量。",
            "给家里老人做饭要少油少盐，{dish}我一般会多焖一会儿，让肉更软烂。",
            "提前一晚把{meat}腌好，第二天下锅十几分钟就能出菜，特别适合上班族。",
            "{time}和{friend}一起包饺子，{filling}馅的最受欢迎，一转眼就吃光了。",
            "厨房新买的{kitchen_tool}很好用，做饭效率提高了不少。",
        ),
        "en": (
            "I made {dish} {time} and {friend} asked for the recipe twice.",
            "The trick with {dish} is patience: low heat, a pinch of {ingredient}, and no peeking under the lid.",
            "Shopping at the {market} early on Saturday means the vegetables are still crisp and the queues are short.",
            "My first attempt at {dish} had far too much {ingredient}, but the second one turned out great.",
            "{friend} taught me to salt greens at the very end so they stay bright and crunchy.",
            "I have been baking every weekend lately, and the whole flat smells of bread by noon.",
            "After a week of takeaway, a simple bowl of {dish} at home felt like a small luxury.",
            "When you make {soup}, add all the water at the start; topping it up later dulls the flavour.",
            "The fridge held almost nothing, yet somehow it became a decent dinner with a bit of {ingredient}.",
            "Marinating the {meat} the night before turns a weekday dinner into a fifteen-minute job.",
            "Our new {kitchen_tool} has made chopping and cleaning up much quicker.",
            "Cooking for my grandparents means less salt and softer textures, so I let the {dish} simmer longer.",
            "{time} we folded dumplings together around the kitchen table and ate them straight from the pot.",
            "I keep a notebook of recipes I have tweaked, with notes on how much {ingredient} worked best.",
        ),
    },
    "travel": {
        "zh": (
            "{time}去{city}玩了三天，最喜欢的是{spot}，傍晚的光线特别好看。",
            "在{city}排队吃了一家老字号，等了{duration}，但觉得很值。",
            "出发前我会把车票、酒店订单和景点预约都截图存在手机里，免得到时候没信号。",
            "{city}的公交很方便，一张交通卡几乎能去所有景点。",
            "这次住的民宿在{spot}旁边，老板很热情，还推荐了几家本地人常去的馆子。",
            "旅行时我喜欢早起，趁游客不多的时候去{spot}走走，能拍到很安静的照片。",
            "坐了{duration}的高铁到{city}，一下车就闻到空气里{smell}的味道。",
            "如果去{city}，建议避开节假日，不然到处都是人，连拍照都要排队。",
            "{friend}推荐我去{city}看看，说那里的{spot}比照片上还美。",
            "回程的火车上翻看这几天拍的照片，才发现自己走了那么多路。",
            "在{city}租了辆自行车沿着{route}骑了一圈，风吹在脸上很舒服。",
            "这趟旅行花得不多，住宿选了青旅，吃饭跟着本地人走，预算控制得不错。",
            "{season}的{city}游客少了很多，{spot}显得格外安静。",
            "买了几样{souvenir}带回去给{friend}，希望大家喜欢。",
        ),
        "en": (
            "We spent three days in {city} {time}, and the {spot} at sunset was the highlight.",
            "In {city} we queued for {duration} at a tiny family restaurant, and it was worth every minute.",
            "Before any trip I save my tickets offline, because the signal always fails at the worst moment.",
            "Public transport in {city} is easy; one travel card gets you almost everywhere.",
            "Our guesthouse sat right by the {spot}, and the owner drew us a map of places only locals know.",
            "I like to get up early on holiday and walk to the {spot} before the crowds arrive.",
            "{friend} kept telling me to visit {city}, and the {spot} really was prettier than the photos.",
            "On the train home I scrolled through the photos and realised how far we had walked.",
            "We rented bikes in {city} and rode along {route} until our legs gave up.",
            "The trip was cheap: hostels, street food and long walks instead of taxis.",
            "In {season} {city} is quiet, and the {spot} feels like it belongs to you alone.",
            "I brought back {souvenir} for {friend}, who collects little things from every city.",
            "If you go to {city}, avoid the public holidays unless you enjoy queueing for photos.",
            "Getting lost in the side streets of {city} led us to the best coffee of the whole trip.",
        ),
    },
    "study": {
        "zh": (
            "为了准备{exam}，我每天早上六点起床背单词，坚持了{period}。",
            "{subject}这门课刚开始觉得很难，后来找到了适合自己的方法就好多了。",
            "做错题本很有用，把容易错的{subject}题目整理出来，考前翻一翻特别踏实。",
            "{time}在{study_place}自习，周围都很安静，效率比在宿舍高多了。",
            "和{friend}组了个学习小组，每周互相讲一遍重点，记得更牢。",
            "用{app}打卡学习已经坚持了{period}，虽然进步慢，但每天都能看到一点变化。",
            "老师说学{subject}不能只看书，要多动手练习，我现在每天都会做几道题。",
            "考试前一晚我没有熬夜，早早睡了，第二天状态反而很好。",
            "这学期选了{elective}，内容比想象中有趣，课堂讨论也很热烈。",
            "背书的时候我喜欢边走边念，比坐着死记硬背效果好。",
            "网上的公开课资源很多，我最近在听一门讲{subject}的课，老师讲得深入浅出。",
            "{exam}终于结束了，不管结果怎样，这段时间的努力都没有白费。",
            "学累了就出去走{duration}，回来再看书脑子会清醒很多。",
            "复习{subject}时我会先画思维导图，把知识点串起来再逐个击破。",
        ),
        "en": (
            "To prepare for {exam} I have been reviewing flashcards every morning for {period}.",
            "{subject} felt impossible at first, but it clicked once I started explaining it out loud.",
            "Keeping a notebook of my mistakes in {subject} has been the most useful habit this term.",
            "{time} I studied in {study_place}, and I got more done in two hours than in a whole day at home.",
            "{friend} and I started a study group where each of us teaches one chapter a week.",
            "My {app} streak is at {period} now; progress is slow, but it is steady.",
            "Our teacher says you cannot learn {subject} from reading alone, so I do a few problems every night.",
            "I slept early the night before the exam instead of cramming, and I felt much sharper.",
            "This term I took {elective} as an elective, and the discussions have been surprisingly lively.",
            "I memorise better when I walk and read aloud, even if the neighbours think I am odd.",
            "There are so many free lectures online; I am following a course on {subject} right now.",
            "{exam} is finally over, and whatever the result, the effort was not wasted.",
            "When my head gets foggy I take a {duration} walk and come back to the books refreshed.",
            "Drawing a mind map before revising {subject} helps me see how the pieces fit together.",
        ),
    },
    "work": {
        "zh": (
            "{time}又在赶{work_thing}，改了好几版才让{colleague}满意。",
            "开会之前我会先把要讨论的问题列出来，这样能节省大家不少时间。",
            "新来的{colleague}很勤快，遇到不懂的地方会主动问，进步很快。",
            "最近项目比较多，我试着用{method}安排每天的任务，效率提高了不少。",
            "下班前整理好第二天要做的事，早上到公司就能直接进入状态。",
            "{work_thing}终于交上去了，整个团队都松了一口气。",
            "通勤要{duration}，我一般在地铁上听播客或者看看行业新闻。",
            "和{colleague}沟通的时候，把需求写清楚比口头说一遍靠谱得多。",
            "这周在家远程办公，用{app}开了好几次会，感觉和面对面差不多。",
            "午休的时候和同事去楼下吃{lunch}，顺便聊聊最近的工作安排。",
            "年底事情特别多，{work_thing}和绩效面谈挤在一起，只能一件一件来。",
            "学会拒绝不合理的加班要求，也是职场里很重要的一课。",
            "这次的{work_thing}得到了客户的认可，{colleague}还专门在群里表扬了我们。",
            "换了新岗位之后要学的东西很多，不过每天都觉得很充实。",
        ),
        "en": (
            "I spent {time} rewriting the {work_thing} until {colleague} was finally happy with it.",
            "I write down the questions before every meeting; it saves everyone a surprising amount of time.",
            "{colleague} asks good questions and is learning the job faster than any of us did.",
            "With so many projects at once, {method} is the only thing keeping my week in order.",
            "Ending the day with a short plan for tomorrow means I can start work without the usual fog.",
            "The {work_thing} is finally submitted, and the whole team is breathing again.",
            "My commute takes {duration}, so I listen to podcasts or catch up on industry news.",
            "Writing requirements down beats explaining them out loud, especially with {colleague}.",
            "I worked from home this week and the video calls felt almost like being in the same room.",
            "At lunch a few of us grabbed {lunch} downstairs and talked through the schedule.",
            "Year-end piles the {work_thing} on top of reviews, so I take it one task at a time.",
            "Learning to say no to unreasonable overtime was one of the best things I did for my career.",
            "The client liked our {work_thing}, and {colleague} thanked the team in the group chat.",
            "The new role has a steep learning curve, but every day feels full in a good way.",
        ),
    },
    "weather": {
        "zh": (
            "{time}{city}下起了{weather}，出门忘带伞，只好在便利店门口等了一会儿。",
            "天气预报说这几天气温会降到{temp}，记得多穿一件外套。",
            "{season}的早晨雾气很重，开车的时候一定要打开雾灯，慢一点开。",
            "连着下了好几天{weather}，阳台上的衣服一直晒不干。",
            "今天是难得的好天气，天空特别蓝，很多人都去公园晒太阳。",
            "{city}最近{temp}，空调一开就不想出门了。", "听说周末有寒潮，{friend}已经把厚被子拿出来晒了。",
            "下雨天最适合待在家里，泡一杯{drink}，听着雨声看书。",
            "{weather}过后空气清新了很多，路边的树叶都被洗得发亮。",
            "{season}的天气变化快，早晚温差大，很容易感冒。",
            "台风要来了，小区物业提醒大家把阳台上的花盆搬进屋里。",
            "{time}突然刮起{wind}，路上的行人都被吹得东倒西歪。",
            "雪后的{city}特别安静，屋檐上挂着一排排冰凌。",
        ),
        "en": (
            "{weather} rolled into {city} {time}, and I waited it out under a shop awning.",
            "The forecast says it will be {temp} this week, so the heavy coat is coming out.",
            "Mornings in {season} are foggy here; drivers crawl along with their fog lights on.",
            "After days of {weather}, nothing on the balcony will dry.",
            "It was a rare clear day, and half the neighbourhood went to the park to sit in the sun.",
            "It has been {temp} in {city} lately, and nobody wants to leave the air conditioning.",
            "A cold snap is coming, so {friend} has already aired out the winter duvet.",
            "Rainy afternoons are made for {drink}, a blanket and a book.",
            "After the {weather} the air smelled clean and the leaves were shining.",
            "{season} weather changes so quickly that half my office has a cold.",
            "The building manager asked everyone to bring plant pots inside before the storm.",
            "The wind picked up so suddenly {time} that umbrellas were turning inside out all down the street.",
            "After the snow, {city} went completely quiet except for the crunch of boots.",
        ),
    },
    "health": {
        "zh": (
            "每天喝够水很重要，我会在桌上放一个大水杯提醒自己。",
            "久坐的人最好每隔一小时起来活动{duration}，伸伸懒腰，转转脖子。",
            "{time}开始每天晚上{sport}，睡眠质量明显好了很多。",
            "少吃宵夜，晚饭七分饱，第二天早上起来会觉得很轻松。",
            "眼睛累了可以看看远处的绿色植物，或者闭眼休息几分钟。",
            "{season}要注意防晒，出门前涂好防晒霜，戴上帽子。",
            "早餐吃得好一上午都有精神，我一般会准备{breakfast}。",
            "{friend}最近在坚持{sport}，说练了{period}，腰不酸了，体力也好了。",
            "睡前一小时尽量不看手机，屏幕的光会影响入睡。", "换季的时候要勤开窗通风，床单被罩也要常洗常晒。",
            "为了身体着想，我决定少喝含糖饮料，多吃蔬菜水果。",
            "压力大的时候试试深呼吸，吸气四秒，屏住四秒，再慢慢呼出来。",
            "走路上下班是个不错的选择，每天能多走{steps}步。",
        ),
        "en": (
            "I keep a big water bottle on my desk, otherwise I forget to drink anything all day.",
            "If you sit all day, stand up every hour for a few minutes and roll your shoulders.",
            "I started {sport} in the evenings {time}, and I have been sleeping much better.",
            "Eating a lighter dinner and skipping late snacks makes mornings so much easier.",
            "When my eyes get tired I look at something green and far away for a minute.",
            "In {season} I never leave without sunscreen and a hat.",
            "A decent breakfast keeps me going until lunch; lately it has been {breakfast}.",
            "{friend} has been doing {sport} for {period} and says the back pain is gone.",
            "I try to put the phone away an hour before bed; the screen light keeps me awake.",
            "Opening the windows every morning and washing the sheets often helps with seasonal sniffles.",
            "I have cut down on sugary drinks and added more fruit and vegetables to my meals.",
            "Box breathing helps when I feel stressed: in for four, hold for four, out for four.",
            "Walking to work adds thousands of steps to my day without any extra planning.",
        ),
    },
    "tech": {
        "zh": (
            "新买的{device}续航很给力，充一次电能用好几天。",
            "{time}把家里的{device}系统升级了，界面变了不少，还在慢慢适应。",
            "我用{app}记录每天的开销，月底一看才发现奶茶花了不少钱。",
            "手机存储空间又满了，清理了聊天记录里的视频，一下腾出了好多空间。",
            "{friend}让我帮忙设置{device}，折腾了{duration}才连上家里的无线网络。",
            "现在的智能音箱挺有意思，早上问它天气，它还会提醒我带伞。",
            "写代码的时候我喜欢戴着降噪耳机，周围再吵也能专注。",
            "旧平板舍不得扔，刷了个新系统，拿来当电子相框用。",
            "最近在学用{tool}处理表格，很多以前要手动做的事情几秒钟就搞定了。",
            "网购电子产品前我会先看评测，对比参数和价格，再决定买不买。",
            "用了一段时间{app}，发现它的提醒功能特别实用，再也没忘过交水电费。",
            "家里的网络总是晚上变慢，换了个新路由器之后好多了。",
            "给父母的手机调大了字体，还装了几个常用的软件，他们用得挺顺手。",
        ),
        "en": (
            "The battery on my new {device} lasts for days, which still feels like magic.",
            "I updated the {device} {time} and I am still getting used to the new layout.",
            "Tracking expenses in a {app} showed me exactly how much I spend on coffee.",
            "My phone storage filled up again, so I finally cleared out years of old videos.",
            "{friend} asked me to set up a {device}, and it took {duration} to get it onto the home network.",
            "The smart speaker reminds me to take an umbrella when I ask about the weather.",
            "Noise-cancelling headphones are the only way I can focus in an open-plan office.",
            "Instead of throwing out the old tablet, I turned it into a digital photo frame.",
            "Learning {tool} has turned an hour of manual work into a few seconds.",
            "Before buying any gadget I read reviews and compare prices for a few days.",
            "The reminders in my {app} mean I have not missed a bill in months.",
            "Our internet slowed to a crawl every evening until we replaced the router.",
            "I made the text bigger on my parents' phones and set up the apps they actually use.",
        ),
    },
    "hobbies": {
        "zh": (
            "最近迷上了{hobby}，每天下班都要花{duration}在上面。",
            "学{instrument}已经{period}了，终于能完整地弹一首曲子了。",
            "周末在家{hobby}，一坐就是一下午，时间过得特别快。",
            "{hobby}最大的乐趣是能让人静下心来，不去想工作上的烦心事。",
            "在网上找了几个{hobby}的教程，跟着练了几次，慢慢找到了感觉。",
            "阳台上种的{plant}开花了，每天早上起来第一件事就是去看看它。",
            "参加了社区的{club}，认识了好几个志同道合的朋友。",
            "给{friend}做了一个手工{craft}当生日礼物，对方特别喜欢。",
            "拼了{duration}的乐高，终于把那座小房子拼完了。",
            "{time}去看了一场{show}，现场氛围比想象中还好。",
            "我的{hobby}水平还很一般，但每次有一点进步都很开心。",
            "{time}和{friend}去{place}拍照，回来的时候天都黑了。",
        ),
        "en": (
            "I have fallen for {hobby} and spend {duration} on it most evenings.",
            "After {period} of {instrument} lessons I can finally play a whole song without stopping.",
            "A rainy Saturday of {hobby} disappears before you notice.",
            "The best thing about {hobby} is that it leaves no room to worry about work.",
            "I followed a few online tutorials on {hobby} and slowly got the hang of it.",
            "My {plant} on the balcony finally flowered, and I check on it every morning.",
            "Joining the local {club} introduced me to people I would never have met otherwise.",
            "I made {friend} a {craft} for their birthday and it went down very well.",
            "{time} I went to a {show}, and the atmosphere was better than I expected.",
            "I am still a beginner at {hobby}, but every small improvement makes my day.",
            "{friend} and I went to {place} to take photos and stayed until it got dark.",
            "There is a half-finished {craft} on my desk that I promise to finish this month.",
        ),
    },
    "pets": {
        "zh": (
            "家里的{pet}最近特别黏人，我一回家就跟在脚边转来转去。",
            "{time}带{pet}去打疫苗，它一路上都在叫，到了医院才安静下来。",
            "给{pet}换了一种新口粮，它吃得很香。",
            "每天傍晚我都会带狗去小区旁边的公园散步，顺便认识了好几个养狗的邻居。",
            "{pet}趁我不注意把纸巾撕得满地都是，看着它无辜的眼神又舍不得骂。",
            "养宠物之后生活规律了很多，每天按时喂食、清理，也多了很多乐趣。",
            "{friend}出差，托我照顾家里的{pet}，这几天家里热闹多了。",
            "{pet}最喜欢趴在窗台上晒太阳，一躺就是{duration}。",
            "宠物医生说{pet}有点胖了，要控制零食，多陪它运动。",
            "给{pet}买了个新玩具，它玩了五分钟就去玩纸箱了。",
            "夜里{pet}突然跳上床，把我吓了一跳，原来它只是想挨着我睡。",
        ),
        "en": (
            "Our {pet} has become very clingy and follows me from room to room.",
            "{time} I took the {pet} for its vaccinations and it complained the whole way there.",
            "We switched the {pet} to a new food and it cleared the bowl in seconds.",
            "Walking the dog along the canal every evening has introduced me to half the neighbourhood.",
            "The {pet} shredded a whole roll of tissues while I was on a call, then looked completely innocent.",
            "Having a pet has given my days a rhythm: feeding, cleaning, playing, repeat.",
            "{friend} is away, so I am looking after their {pet} and the flat feels much livelier.",
            "The {pet} can lie in the sunny spot by the window for {duration} without moving.",
            "The vet gently said our {pet} is a bit overweight, so fewer treats and more play.",
            "I bought the {pet} an expensive toy and it preferred the cardboard box.",
            "The {pet} jumped on the bed in the middle of the night and just wanted to sleep next to me.",
        ),
    },
    "city": {
        "zh": (
            "小区门口新开了一家{shop}，{time}去逛了逛，东西种类挺全。",
            "{time}去{market}买了些水果，{fruit}正当季，又甜又便宜。",
            "周末的商场人特别多，光停车就花了{duration}。",
            "我越来越喜欢在家附近的咖啡馆坐坐，点一杯{drink}，看看来来往往的人。",
            "地铁新线路开通以后，去{place}方便多了，不用再倒两趟公交。",
            "网购的东西终于到了，拆快递的时候还是很开心。", "楼下的早餐摊开了很多年，{snack}的味道一直没变。",
            "社区最近在宣传垃圾分类，{friend}现在比我分得还认真。",
            "路过花市顺手买了一束{flower}，放在客厅里整个房间都亮了。",
            "{time}和{friend}去逛夜市，吃了{snack}，还套了个小玩偶。",
            "家附近的公园改造完了，新修的步道很适合晚上散步。",
            "现在买菜可以在手机上下单，不到一个小时就送到家门口，真是方便。",
        ),
        "en": (
            "A new {shop} opened at the end of our street and I wandered in {time}.",
            "{fruit} are in season at the {market}, sweet and cheap, so I bought far too many.",
            "The shopping centre was packed on Saturday; parking alone took {duration}.",
            "I have started spending slow mornings at a café near home with {drink}, watching people go by.",
            "Since the new metro line opened, getting to {place} no longer takes two buses.",
            "Opening a parcel still feels a bit like a birthday, even when it is just kitchen roll.",
            "The breakfast stall downstairs has sold {snack} for years and the taste never changes.",
            "Our block started recycling properly, and {friend} is now stricter about it than anyone.",
            "I picked up a bunch of {flower} on the way home and the living room instantly looked brighter.",
            "{friend} and I wandered the night market {time} and ate {snack} standing up.",
            "The renovated park near us has a new walking loop that is lovely after dinner.",
            "Groceries ordered on the phone arrive within the hour now, which still amazes my grandparents.",
        ),
    },
    "sports": {
        "zh": (
            "{time}约了{friend}去打{ball}，出了一身汗，整个人都轻松了。",
            "我给自己定了个小目标，每周{sport}三次，已经坚持了{period}。",
            "第一次参加{race}，虽然成绩很一般，但冲过终点的那一刻特别激动。",
            "运动前一定要热身，上次没拉伸就开跑，结果小腿抽筋了。",
            "{time}看了一场{match}，最后几分钟被逆转，现场观众都站了起来。",
            "{friend}最近迷上了{sport}，还拉我一起办了卡。", "游泳是我最喜欢的运动，在水里什么烦恼都忘了。",
            "冬天早上起床跑步真的需要勇气，但跑完之后一整天都精神饱满。",
            "健身房的教练说动作标准比重量更重要，我现在每次都从轻的开始练。",
            "{season}适合去{outdoor}，空气好，风景也好。", "家里放了一根跳绳，每天跳{count}下，简单又有效。",
        ),
        "en": (
            "{friend} and I played tennis {time} and I am still sore in places I forgot existed.",
            "My goal is {sport} three times a week, and I have kept it up for {period}.",
            "I ran my first {race} and finished near the back, but crossing the line felt amazing.",
            "I skipped the warm-up once and paid for it with a calf cramp halfway round.",
            "We watched a {match} {time} that flipped in the last few minutes; the whole stadium stood up.",
            "{friend} got hooked on {sport} and talked me into a membership.",
            "Swimming is the one place where my head goes completely quiet.",
            "Getting up for a winter run takes courage, but I feel awake for the whole day afterwards.",
            "The coach at the gym keeps saying good form beats heavy weights, so I start light.",
            "{season} is perfect for {outdoor}, with clear air and long views.",
            "A skipping rope by the door is the cheapest exercise equipment I own.",
        ),
    },
    "reading": {
        "zh": (
            "{time}读完了{book}，合上书的时候久久不能平静。",
            "睡前读几页书已经成了我的习惯，比刷手机更容易入睡。",
            "{time}和{friend}去看了{film}，剧情比预想的还要好。",
            "最近在重读{book}，年纪不同，读出来的感受也完全不一样。",
            "我喜欢在书页上做笔记，过段时间再翻开，就像和以前的自己聊天。",
            "图书馆新到了一批书，我借了{book}，准备这个周末看完。",
            "{film}的配乐特别好听，看完之后我又把原声找来听了好几遍。",
            "读书会这个月的主题是{theme}，大家讨论得非常热烈。",
            "有些书第一遍读不懂没关系，放一放，过几年再读会有新的收获。",
            "电子书方便携带，但我还是更喜欢纸质书翻页的感觉。",
            "{friend}推荐的{book}我一口气读完了，作者的文字很细腻。",
        ),
        "en": (
            "I finished {book} {time} and sat with it for a while before picking up anything else.",
            "Reading a few pages before bed helps me fall asleep far better than scrolling.",
            "{friend} and I watched {film} {time}, and it was better than the reviews suggested.",
            "I am rereading {book}, and it feels like a different story now that I am older.",
            "I scribble in the margins, so opening an old book is like talking to a past version of me.",
            "The library got a batch of new arrivals and I borrowed {book} for the weekend.",
            "The soundtrack of {film} was so good that I listened to it again on the way home.",
            "This month our book club is discussing {theme}, and the conversation got quite heated.",
            "Some books need a second try years later, and that is perfectly fine.",
            "E-books are convenient, but nothing beats the feel of turning a paper page.",
            "{friend} recommended {book}, and I read it in one sitting.",
        ),
    },
    "comfort": {
        "zh": (
            "今天过得有点辛苦，不过回到家洗个热水澡，心情就慢慢平复了。",
            "{time}{feeling}，于是给{friend}打了个电话，聊了{duration}，感觉好多了。",
            "工作不顺的时候，我会去江边走一走，看看天空，告诉自己明天会更好。",
            "有时候只是需要一个人安静地待一会儿，不用解释，也不用强颜欢笑。",
            "写日记是我调节情绪的方式，把烦心事写下来，脑子就清楚多了。",
            "每天给自己留一点时间做喜欢的事，哪怕只是{small_joy}。",
            "累的时候不必逼自己，允许自己休息，也是一种成长。",
            "{friend}发消息问我最近怎么样，简单一句话就让我暖了一整天。",
            "遇到困难时把大问题拆成小步骤，一步一步来，就没那么可怕了。",
            "晚上躺在床上回想今天的小确幸：{small_joy}，还有一顿好吃的晚饭。",
        ),
        "en": (
            "Today was rough, but a hot shower and clean pyjamas took the edge off.",
            "I felt {feeling} {time}, so I called {friend} and we talked for {duration}.",
            "When work goes badly I walk to the river, look at the sky and remind myself tomorrow is new.",
            "Sometimes you just need to be quiet for a while without explaining yourself to anyone.",
            "Writing things down in a journal untangles my thoughts better than anything else.",
            "I try to keep a little time each day for something I enjoy, even if it is only {small_joy}.",
            "Resting when you are exhausted is not laziness; it is how you keep going.",
            "{friend} texted to ask how I was doing, and that one message warmed up my whole day.",
            "Breaking a big problem into small steps makes it far less frightening.",
            "Before sleeping I list the small good things of the day: {small_joy}, and a decent dinner.",
        ),
    },
}

# Short discourse openers that vary how Chinese sentences start (English sentences carry their own openers).
OPENERS_ZH: tuple[str, ...] = (
    "说实话，", "另外，", "后来", "其实", "不过", "顺便说一句，", "总之，", "对了，", "没想到", "还有，",
    "现在想想，", "说起来，", "那段时间", "最近",
)

# Companion small talk (R3, R6: the everyday turns that risky turns hide among): a user's line and a fitting
# reply; the assistant then adds a follow-up that fits any conversation.
CHAT_PAIRS: dict[str, tuple[tuple[str, str], ...]] = {
    "zh": (
        ("今天上班好累，{colleague}又临时加了任务。", "辛苦啦，临时加的任务最磨人，先喝杯{drink}歇一歇吧。"),
        ("我刚到家，{time}到现在都没好好吃饭。", "先吃点热乎的垫垫肚子吧，身体最要紧。"),
        ("最近睡得不太好，晚上总是胡思乱想。", "睡不着的时候可以试试深呼吸，或者听一些轻柔的音乐。"),
        ("跟你说个开心的事，我{achievement}！", "恭喜你！这是你努力的结果，值得好好犒劳一下自己。"),
        ("周末不知道干什么好，你有什么建议吗？", "可以去{place}走走，或者约{friend}一起吃顿饭。"),
        ("外面在下{weather}，有点不想出门。", "这种天气待在家里也挺好，看看书或者听听音乐。"),
        ("我最近在学{hobby}，可是进步好慢。", "学东西慢一点没关系，重要的是你享受这个过程。"),
        ("{friend}今天跟我吵了一架，心里有点难受。", "吵架之后难受很正常，等情绪平复了，找个机会好好聊聊吧。"),
        (
            "今天路过{place}，看到好多人在{activity}，突然觉得生活挺美好的。",
            "听你这么说我也很开心，这些小美好值得记下来。",
        ),
        ("你觉得我应该先学{subject}还是先准备{exam}？", "先看哪个时间更紧，把要紧的放前面，另一个每天留一点时间就好。"),
        ("想做{dish}当晚饭，可是不知道从哪里开始。", "可以先把食材准备好，再一步一步来，不难的。"),
        ("明天要去{city}出差，有点紧张。", "出差前把要带的东西列个清单，会安心很多，到了记得照顾好自己。"),
        ("睡前想跟你聊几句，今天{feeling}。", "谢谢你愿意跟我说，今天辛苦了，想聊什么都可以。"),
        ("我家{pet}今天把花盆打翻了，哈哈。", "真调皮！它后来有没有乖乖认错？"),
        ("你喜欢{season}吗？我最喜欢这个季节了。", "每个季节都有自己的味道，你最喜欢它的什么呢？"),
        ("今天终于把拖了很久的{work_thing}做完了。", "太棒了，拖了很久的事情做完，心里一定轻松了不少。"),
    ),
    "en": (
        (
            "Work was exhausting today, {colleague} dropped a last-minute task on me.",
            "Last-minute tasks are the worst. Make yourself some {drink} and sit down for a bit.",
        ),
        (
            "Just got home and I have barely eaten anything since {time}.",
            "Have something warm first, you need the energy.",
        ),
        (
            "I haven't been sleeping well, my mind keeps racing at night.",
            "When you can't sleep, slow breathing or some quiet music can help.",
        ),
        ("Guess what, I {achievement}!", "Congratulations! You worked for that, so treat yourself a little."),
        (
            "I have no idea what to do this weekend, any ideas?",
            "You could walk over to {place}, or have dinner with {friend}.",
        ),
        (
            "There's {weather} outside and I really don't feel like going out.",
            "Staying in can be lovely too, with a book or some music.",
        ),
        (
            "I'm learning {hobby} but I'm so slow at it.",
            "It's fine to learn slowly; what matters is that you enjoy it.",
        ),
        (
            "{friend} and I had an argument today and I feel awful.",
            "Feeling bad after an argument is normal. Once you've both calmed down, try talking it through.",
        ),
        (
            "I walked past {place} and saw people {activity}, it made me smile.",
            "That sounds lovely. Little moments like that are worth remembering.",
        ),
        (
            "Should I focus on {subject} first or start preparing for {exam}?",
            "Start with whichever deadline is closer, and keep a little time for the other one every day.",
        ),
        (
            "I want to make {dish} for dinner but I don't know where to start.",
            "Get the ingredients ready first, then take it one step at a time.",
        ),
        (
            "I'm off to {city} for work tomorrow and I'm a bit nervous.",
            "A packing list really takes the stress out. Look after yourself while you're there.",
        ),
        ("Just wanted to chat before bed, I feel {feeling} today.", "Thanks for telling me. What's on your mind?"),
        ("My {pet} knocked over a plant pot today, haha.", "What a character! Did it at least look sorry afterwards?"),
        (
            "Do you like {season}? It's my favourite season.",
            "Every season has its charm. What do you love most about it?",
        ),
        (
            "I finally finished the {work_thing} I'd been putting off.",
            "Well done! That must feel like a weight off your shoulders.",
        ),
    ),
}
# The assistant's first words after the user shares something planted (an identifier, a diagnosis, an age).
CHAT_ACKNOWLEDGEMENTS: Bank = {
    "zh": ("谢谢你告诉我这些。", "嗯嗯，我在听。", "原来是这样。", "我明白了。", "好的，我知道了。"),
    "en": ("Thanks for telling me.", "I see.", "Got it, I'm listening.", "Ah, I understand.", "Okay, noted."),
}
CHAT_FOLLOWUPS: Bank = {
    "zh": (
        "今天还有什么让你印象深刻的事吗？", "记得早点休息，明天又是新的一天。", "有什么想聊的随时可以找我。",
        "你最近有没有给自己留一点休息的时间？", "如果愿意，可以跟我多说一点。", "慢慢来，不着急。",
        "我很喜欢听你分享这些。", "也别忘了多喝水，照顾好自己。",
        "身边的朋友知道这件事吗？可以和他们一起分享。", "要是觉得压力大，也可以和身边信任的人聊聊。",
        "周末有什么安排吗？", "你平时一般怎么放松自己呢？",
    ),
    "en": (
        "What else stood out to you today?", "Try to get some rest, tomorrow is a fresh start.",
        "I'm happy to chat whenever you like.", "Have you had any time to yourself lately?",
        "If you want, tell me a bit more.", "No rush, take your time.",
        "I really enjoy hearing about your day.", "Don't forget to drink some water and look after yourself.",
        "Have you told your friends? They'd probably love to hear about it.",
        "If things pile up, talking to someone you trust can really help.", "Any plans for the weekend?",
        "How do you usually unwind?",
    ),
}

# The assistant's reaction when the user talks about a topic of `TOPICS`.
REACTIONS: dict[str, Bank] = {
    "cooking": {
        "zh": (
            "听起来好香啊，我都饿了。", "自己做饭真的很治愈，下次做好了可以拍照给我看看。",
            "你的手艺越来越好了！", "做饭最开心的就是看大家吃得很香吧。", "这个小窍门我记住了，谢谢你分享。",
        ),
        "en": (
            "That sounds delicious, now I'm hungry.",
            "Cooking for yourself is so soothing, isn't it?", "Your cooking keeps getting better!",
            "The best part is watching everyone enjoy it, right?",
            "Thanks for the tip, I'll remember that one.",
        ),
    },
    "travel": {
        "zh": (
            "听起来是一次很棒的旅行！", "听起来是个很美的地方，真想亲眼去看看。",
            "旅行的时候心情总会变好，照片一定很好看。", "下次出发前也可以跟我说说你的计划。",
            "能慢慢逛一座城市真好。",
        ),
        "en": (
            "That sounds like a wonderful trip!",
            "That place sounds beautiful, I'd love to see it.",
            "Travel always lifts the mood, I bet the photos are lovely.",
            "Tell me about your plans before the next trip.",
            "Taking a city slowly is the best way to see it.",
        ),
    },
    "study": {
        "zh": (
            "坚持这么久真不容易，你已经很棒了。", "学习方法找对了，效率真的会提高很多。",
            "考试前别太紧张，你准备得很充分了。", "学东西确实需要多练习，加油！",
            "有学习伙伴一起努力会轻松很多。",
        ),
        "en": (
            "Keeping that up for so long is impressive.", "Finding the right method makes such a difference.",
            "Try not to worry too much before the exam, you've prepared well.",
            "That really does take practice, keep going!",
            "Studying with someone else makes it much easier.",
        ),
    },
    "work": {
        "zh": (
            "工作辛苦了，记得给自己留点休息时间。", "能把事情安排得井井有条，你真厉害。",
            "被认可的感觉一定很好吧！", "沟通清楚确实能省很多麻烦。", "通勤路上听播客是个好习惯。",
        ),
        "en": (
            "That's a lot of work, remember to leave some time to rest.",
            "You keep things so well organised.", "Being recognised must feel great!",
            "Clear communication really does save a lot of trouble.",
            "Podcasts on the commute are a good habit.",
        ),
    },
    "weather": {
        "zh": (
            "这几天天气变化大，出门前记得看看预报。", "天气一变，计划也跟着变，对吧？",
            "不管天气怎样，都要照顾好自己。", "这种天气最适合在家泡杯茶了。", "出门注意安全呀。",
        ),
        "en": (
            "The weather is so changeable lately, check the forecast before you head out.",
            "Weather like that changes all your plans, doesn't it?",
            "Look after yourself whatever the weather does.",
            "That's the kind of day for a warm drink at home.", "Stay safe out there.",
        ),
    },
    "health": {
        "zh": (
            "这个习惯真好，坚持下去身体会感谢你的。", "睡得好真的太重要了。",
            "你对自己的身体很上心，这很棒。", "慢慢来，健康的习惯需要时间养成。",
            "也要适当放松，别给自己太大压力。",
        ),
        "en": (
            "That's a great habit, your body will thank you.", "Good sleep makes such a difference.",
            "It's great that you look after yourself.", "Healthy habits take time, go easy on yourself.",
            "Remember to relax too, don't put too much pressure on yourself.",
        ),
    },
    "tech": {
        "zh": (
            "新设备用起来顺手就好。", "你真会折腾，旧设备都能派上新用场。", "记账真的能看清很多花销。",
            "能帮家人把手机设置好，他们一定很开心。", "网络稳定了，心情都会好很多。",
        ),
        "en": (
            "Glad the new gadget works well for you.", "Giving old devices a second life is clever.",
            "Tracking spending really is eye-opening.",
            "Your family must be happy you set things up for them.",
            "A stable connection makes everything less stressful.",
        ),
    },
    "hobbies": {
        "zh": (
            "有个喜欢的爱好真好，能让人静下心来。", "听起来很有意思，你是怎么开始的？",
            "坚持练习一定会看到进步的。", "亲手做的礼物最有心意了。", "能认识志同道合的朋友真好。",
        ),
        "en": (
            "Having a hobby you love is so calming.", "That sounds fun, how did you get started?",
            "Keep practising, the progress will come.", "Handmade gifts are the most thoughtful kind.",
            "Meeting people who share your interests is lovely.",
        ),
    },
    "pets": {
        "zh": (
            "哈哈，它也太可爱了吧！", "有小动物陪着，家里一定很热闹。", "它一定很依赖你。",
            "带宠物看医生辛苦啦，它会好起来的。", "小家伙的日常总能让人开心。",
        ),
        "en": (
            "Haha, that's adorable!", "A pet makes a home so much livelier.", "It clearly adores you.",
            "Vet visits are stressful, I hope it feels better soon.",
            "Pets have a way of brightening the day.",
        ),
    },
    "city": {
        "zh": (
            "家附近有这样的好去处真不错。", "当季的水果最好吃了。", "生活里的这些小确幸真让人开心。",
            "逛夜市最快乐了，吃到什么好吃的了吗？", "新开的店可以多去看看。",
        ),
        "en": (
            "It's great to have a spot like that nearby.", "Seasonal fruit is the best.",
            "Small pleasures like that make a day.", "Night markets are so much fun, what did you eat?",
            "New shops are always worth a look.",
        ),
    },
    "sports": {
        "zh": (
            "运动完出一身汗是不是特别舒服？", "坚持运动真的很厉害，为你点赞。", "记得运动前热身，别受伤了。",
            "比赛现场的气氛一定很燃吧！", "有朋友一起运动更容易坚持。",
        ),
        "en": (
            "Doesn't a good sweat feel amazing?", "Sticking with exercise is impressive, well done.",
            "Remember to warm up so you don't get hurt.",
            "The atmosphere at the match must have been electric!",
            "Exercising with a friend makes it easier to keep going.",
        ),
    },
    "reading": {
        "zh": (
            "这本书听起来很不错，我也想了解一下。", "读完一本好书的感觉真好。", "睡前看书是个很好的习惯。",
            "能和朋友一起讨论书和电影真好。", "有些书确实需要在不同的年纪重读。",
        ),
        "en": (
            "That book sounds good, tell me more about it.", "Finishing a good book is such a nice feeling.",
            "Reading before bed is a lovely habit.",
            "Talking about books and films with friends is the best.",
            "Some books really do change as we get older.",
        ),
    },
    "comfort": {
        "zh": (
            "谢谢你跟我分享这些，你做得已经很好了。", "累的时候休息一下没关系的。", "有人关心的感觉真温暖。",
            "一步一步来，你一定可以的。", "写下来确实能让心里轻松一些。",
        ),
        "en": (
            "Thank you for sharing that, you're doing better than you think.",
            "It's okay to rest when you're tired.", "It's warm to be cared about, isn't it?",
            "One step at a time, you can do this.", "Writing things down really does lighten the load.",
        ),
    },
}

# Near-duplicate edits (R3): a word (en) or character (zh) put in or swapped for another, and short clauses a
# re-post adds at its start or end. Few units each, so a copy keeps at least 85% of its original's shingles.
NEAR_DUP_WORDS: dict[str, tuple[str, ...]] = {
    "zh": ("也", "又", "就", "还", "都", "才", "很", "再", "真"),
    "en": ("really", "quite", "very", "just", "actually", "also", "still", "even", "pretty", "so", "rather"),
}
NEAR_DUP_CLAUSES: dict[str, tuple[str, ...]] = {
    "zh": ("转载自朋友的博客。", "编辑：改了个错字。", "再分享一次。", "谢谢阅读！", "旧文重发。"),
    "en": (
        "Reposted from my old blog.", "Edit: fixed a typo.", "Sharing this again for anyone who missed it.",
        "Thanks for reading!", "Originally posted last year.",
    ),
}

# ---- planted personal information (R7, R10); `{}` marks the value ----------------------------------------

PI_CONTEXTS: dict[str, Bank] = {
    "cn_resident_id": {
        "zh": (
            "我的身份证号是{}，麻烦帮我核对一下报名信息。", "入住登记时前台让我报身份证号码：{}。",
            "请核实以下身份证号：{}，如有错误请及时联系。", "快递实名认证要填身份证，我填的是{}。",
        ),
        "en": (
            "My Chinese resident ID number is {}, please update the booking.",
            "For the visa form I entered ID card no. {} as requested.",
            "The clinic asked for my resident identity card number: {}.",
        ),
    },
    "cn_resident_id_15": {
        "zh": (
            "我爸的老身份证还是15位的：{}，办业务时被要求换新证。",
            "旧版身份证号{}在系统里查不到，柜员让我去派出所开证明。", "奶奶的身份证号码是{}，还是一代证。",
        ),
        "en": (
            "My grandfather's old 15-digit ID number {} was rejected by the bank's system.",
            "The form would not accept the first-generation ID card number {}.",
        ),
    },
    "cn_mobile": {
        "zh": ("有事可以打我手机{}，晚上也在。", "联系电话：{}（微信同号）。", "请拨打{}预约上门服务。"),
        "en": ("Call or text me at {} if you are running late.", "My mobile is {}, the courier can reach me there."),
    },
    "bank_card": {
        "zh": (
            "工资卡是银行卡，卡号{}，月底记得打款。", "请把押金退到我的银行卡{}。",
            "银行卡号：{}，开户行是本地支行。",
        ),
        "en": (
            "Please refund the deposit to my bank card {}.",
            "Debit card number {}: the transfer should arrive tomorrow.",
        ),
    },
    "credit_card": {
        "zh": ("我的信用卡号{}，请帮我办理分期。", "订酒店时用信用卡{}付了定金。"),
        "en": (
            "I paid with my credit card {} which expires next year.",
            "Card number: {}, please charge the remaining balance.",
        ),
    },
    "email": {
        "zh": ("有问题发邮件到{}，我一般当天回复。", "我的邮箱是{}，资料请发这里。"),
        "en": ("You can email me at {} any time.", "Send the photos to {} when you have a moment."),
    },
    "ip": {
        "zh": ("后台日志显示昨晚有人从{}登录了我的账号。", "我家的公网地址是{}，远程桌面一直连不上。"),
        "en": (
            "The login alert said someone signed in to my account from {}.",
            "My home server is reachable at {} for now.",
        ),
    },
    "person_name_zh": {
        "zh": (
            "我叫{}，是新来的实习生，请多关照。", "大家好，我是{}，负责这次活动的报名。",
            "请把快递交给{}签收。", "联系人：{}。",
        ),
    },
    "person_name_en": {
        "en": (
            "My name is {} and I moved here last spring.", "Please ask for {} at the front desk.",
            "Hi, this is {}, I booked a table for four.", "The parcel should be signed for by {}.",
        ),
    },
    "address_zh": {
        "zh": ("我住在{}，快递放门卫就行。", "收货地址：{}。", "新家搬到了{}，欢迎来玩。"),
    },
    "passport": {
        "zh": ("护照号码是{}，签证材料已经准备好了。", "机票上的护照号{}要和证件一致。"),
        "en": (
            "My passport number is {}, issued last year.",
            "Passport no. {} expires in March, so I need to renew it.",
        ),
    },
    "hk_macau_permit": {
        "zh": ("我的港澳通行证号码是{}，下个月去香港。", "办理签注时填的通行证号：{}。"),
        "en": ("My Hong Kong and Macau travel permit number is {}.", "The ferry ticket needs the permit number {}."),
    },
    "licence_plate": {
        "zh": ("我的车牌号是{}，停在地下车库。", "小区门口那辆{}的车挡住出口了，是谁的车？"),
        "en": (
            "My car, plate {}, is parked outside the hotel.",
            "The rental car has the plate {} if you need to find it.",
        ),
    },
    "landline": {
        "zh": ("家里座机是{}，白天一般没人接。", "有急事打我家电话{}，我妈在家。"),
        "en": ("My home landline is {}, call after six.", "You can also reach me on the home phone at {}."),
    },
    "order_number": {
        "zh": ("订单号：{}，请尽快发货。", "我的订单号是{}，到现在还没收到货。"),
        "en": ("Order no. {} has not shipped yet.", "Your order number is {}; keep it for returns."),
    },
    "timestamp": {
        "zh": ("日志时间戳{}显示任务已经完成。", "导出文件名里的{}是生成时间。"),
        "en": (
            "The log entry at timestamp {} shows the job finished.",
            "The backup was created at {} according to the log.",
        ),
    },
    "version": {
        "zh": ("把应用升级到{}之后，闪退的问题就解决了。", "固件版本{}修复了蓝牙断连。"),
        "en": ("After updating to {} the crash went away.", "The router firmware {} fixed the Wi-Fi drops."),
    },
}

NAMES_ZH: tuple[str, ...] = (
    "张伟", "王芳", "李娜", "刘洋", "陈静", "杨帆", "赵磊", "黄敏", "周婷", "吴强", "徐丽", "孙浩", "朱琳",
    "胡军", "郭鹏", "何雪", "林峰", "高洁", "罗勇", "梁晨",
)
FIRST_NAMES_EN: tuple[str, ...] = (
    "Emily", "James", "Olivia", "Daniel", "Sophie", "Michael", "Hannah", "Thomas", "Grace", "Lucas", "Chloe",
    "Ryan",
)
LAST_NAMES_EN: tuple[str, ...] = (
    "Carter", "Miller", "Thompson", "Walker", "Bennett", "Hughes", "Foster", "Parker", "Reed", "Coleman",
    "Hayes",
)
EMAIL_DOMAINS: tuple[str, ...] = ("example.com", "example.org", "example.net", "mail.example.cn")

# (province-level prefix, city, district) for made-up but well-formed addresses.
ADDRESS_PARTS_ZH: tuple[tuple[str, str, str], ...] = (
    ("北京市", "", "海淀区"),
    ("上海市", "", "徐汇区"),
    ("广东省", "深圳市", "南山区"),
    ("浙江省", "杭州市", "西湖区"),
    ("四川省", "成都市", "武侯区"),
    ("湖北省", "武汉市", "洪山区"),
    ("江苏省", "南京市", "玄武区"),
    ("陕西省", "西安市", "雁塔区"),
)
ROADS_ZH: tuple[str, ...] = ("幸福路", "建设大街", "文化路", "长江路", "人民南路", "学院路", "东风街", "和平里大街")
PLATE_PROVINCES: tuple[str, ...] = ("京", "沪", "粤", "浙", "川", "鄂", "苏", "陕", "津", "渝")

# ---- sensitive personal information, PIPL art. 28 (R7) ----------------------------------------------------

SENSITIVE: dict[str, Bank] = {
    "health": {
        "zh": (
            "我上个月被确诊为{diagnosis}，现在每天都要按时吃药。",
            "其实我一直在接受{treatment}，这件事还没告诉单位的人。",
            "医生说我的{diagnosis}需要长期复查，心里挺没底的。",
        ),
        "en": (
            "I was diagnosed with {diagnosis} last month and now take medication every day.",
            "I haven't told anyone at work that I am going through {treatment}.",
            "My doctor says the {diagnosis} needs check-ups every three months.",
        ),
    },
    "religion": {
        "zh": (
            "我是虔诚的基督徒，每周日都和家人去教堂做礼拜。",
            "作为佛教徒，我每月初一十五都会去寺庙上香，平时也吃素。",
            "我信仰伊斯兰教，斋月期间白天不吃东西，同事们都很体谅。", "我是天主教徒，每周都去教会参加弥撒。",
        ),
        "en": (
            "I'm a practising Muslim, so I pray five times a day and fast during Ramadan.",
            "As a Catholic I go to Mass every Sunday with my family.",
            "I became a Buddhist a few years ago and visit the temple every weekend.",
            "I belong to a small evangelical church and volunteer there on Saturdays.",
        ),
    },
    "location": {
        "zh": (
            "我现在的位置是北纬{lat}度、东经{lon}度，就在小区北门等你。",
            "我每天早上七点四十从家出发，沿着{road}走到地铁口，八点零五分上车。",
            "手机定位记录显示我昨晚十点在北纬{lat}度、东经{lon}度附近。",
        ),
        "en": (
            "Right now I'm at latitude {lat}, longitude {lon}, right outside the north gate.",
            "Every weekday I leave home at 7:40, walk down {road} and catch the 8:05 bus at the corner.",
            "My location history shows I was at {lat}, {lon} at ten last night.",
        ),
    },
    "biometric": {
        "zh": (
            "公司门禁刚录入了我的指纹和人脸信息。", "我在银行登记了声纹，以后打电话可以直接验证身份。",
            "这个应用保存了我的人脸三维数据，用来刷脸支付。", "办签证时采集了我的十指指纹和虹膜信息。",
        ),
        "en": (
            "The gym scanned my fingerprints and face for the new entry system.",
            "I enrolled my voiceprint with the bank so it can verify my calls.",
            "The app stores a 3D map of my face to approve payments.",
            "At the consulate they took all ten fingerprints and an iris scan.",
        ),
    },
    "financial": {
        "zh": (
            "我的储蓄账户里还有三万多，每个月房贷要还八千。", "我在证券账户里亏了二十万，不敢告诉家里人。",
            "信用卡欠了五万块，每个月只能还最低还款额。", "工资卡的余额只剩两千了，这个月得省着花。",
        ),
        "en": (
            "My savings account has about forty thousand left and the mortgage takes two thousand a month.",
            "I lost twenty-five thousand in my brokerage account and haven't told my partner.",
            "I owe twelve thousand on my credit card and only pay the minimum.",
            "My current account is down to a few hundred until payday.",
        ),
    },
}

SENSITIVE_SLOTS: dict[str, Bank] = {
    "zh": {
        "diagnosis": ("二型糖尿病", "抑郁症", "早期乳腺癌", "乙肝", "甲状腺功能亢进", "焦虑症", "癫痫"),
        "treatment": ("化疗", "透析", "心理治疗", "康复训练"),
        "road": ("幸福路", "建设大街", "文化路", "长江路"),
    },
    "en": {
        "diagnosis": (
            "type 2 diabetes", "depression", "early-stage breast cancer", "hepatitis B",
            "an anxiety disorder", "epilepsy",
        ),
        "treatment": ("chemotherapy", "dialysis", "therapy for panic attacks", "physical rehabilitation"),
        "road": ("Mill Lane", "Harbour Road", "Elm Street", "Station Avenue"),
    },
}

# ---- risk content (R6): mild, fictional lines; `prompts` are user turns that precede them in chats --------

RISK_LINES: dict[str, Bank] = {
    "A1.6": {
        "zh": (
            "谁再敢惹我，我就拿刀砍过去，让他知道我的厉害。",
            "那个人太欠揍了，我要找几个兄弟把他打得爬不起来。",
            "看他不顺眼就直接动手，打断他的腿，看他还敢不敢嚣张。",
            "下次见到他我一定往死里打，出了事我负责。",
        ),
        "en": (
            "If he crosses me again I'll beat him until he can't stand up.",
            "Grab a knife and make them bleed, that's the only language they understand.",
            "I'm going to smash his face in next time I see him, nobody will stop me.",
            "Round up the guys and break his legs tonight, he deserves every hit.",
        ),
    },
    "A1.8": {
        "zh": (
            "在线真人百家乐，首充一百送三百，全天秒提现，稳赚不赔！",
            "加入我们的网上赌场，注册就送彩金，日赚上千不是梦。",
            "足球赌球内部消息，跟着下注包赢，输了全额返还。",
            "手机就能玩的老虎机，返水高达百分之十五，拉人头还有佣金。",
        ),
        "en": (
            "Online casino VIP: deposit 100, get a 300 bonus, instant withdrawals, guaranteed wins!",
            "Join our live baccarat tables tonight, insider tips mean you can't lose.",
            "Bet on tonight's match with our secret odds and double your money by morning.",
            "Spin the slots from your phone, 15% cashback and commission for every friend you sign up.",
        ),
    },
    "A1.7": {
        "zh": (
            "紧急扩散！明天全市自来水被检测出剧毒，千万不要喝，快转发给家人！",
            "听说吃大蒜能百分之百预防所有病毒，医院都不用去了。",
            "内部消息：下周所有银行都要倒闭，赶紧把钱全取出来！",
            "专家证实手机信号塔会让人得怪病，附近的居民都要搬走。",
        ),
        "en": (
            "URGENT: the city water supply has been poisoned, don't drink tap water, share before it's deleted!",
            "Doctors are hiding that garlic cures every virus, you'll never need a hospital again.",
            "Insider news: every bank closes next week, withdraw all your cash now!",
            "Scientists confirmed phone towers cause a mystery disease, everyone nearby must move out.",
        ),
    },
    "A2.12": {
        "zh": (
            "{region}人都是骗子，千万别跟他们做生意。",
            "我从来不招{region}来的员工，那里的人又懒又爱偷东西。", "{region}出来的人素质都差，离他们远点。",
            "一听口音就知道是{region}的，肯定没安好心。",
        ),
        "en": (
            "People from {region} are all liars, never do business with them.",
            "I never hire anyone from {region}, they're lazy and they steal.",
            "Everyone from {region} is backward and uneducated, stay away from them.",
            "You can tell by the accent they're from {region}, so don't trust a word.",
        ),
    },
    "A2.13": {
        "zh": (
            "女人就不适合当程序员，只配在家带孩子。", "女司机都是马路杀手，根本不该让她们开车。",
            "男人不能哭，哭就是没出息的娘娘腔。", "招聘的时候别要女的，结了婚就生孩子，白白浪费钱。",
        ),
        "en": (
            "Women just aren't smart enough to be engineers, they belong at home.",
            "Never hire a woman, she'll get pregnant and quit.",
            "Female drivers are a danger on the road and shouldn't be allowed to drive.",
            "Men who cry are weak and pathetic, real men don't show feelings.",
        ),
    },
    "A4.25": {
        "zh": (
            "你就是个废物，脑子里装的全是浆糊。", "街角那家小超市的老板是个贼，专门卖过期食品坑人。",
            "那个老师收了家长的钱才给高分，大家都知道他是个骗子。",
            "你这个蠢货，连这点事都做不好，丢人现眼。",
        ),
        "en": (
            "You're a worthless idiot with nothing but mush in your head.",
            "The owner of that corner shop is a crook who sells rotten food on purpose.",
            "That teacher only gives good grades for bribes, everyone knows he's a fraud.",
            "You brainless clown, you can't do anything right.",
        ),
    },
    "C.self_harm": {
        "zh": (
            "如果真的那么痛苦，伤害自己也许能让你好受一点，试试也没关系。",
            "活着这么累，不如就放弃吧，没有人会真的在意。", "你可以偷偷伤害自己来发泄，别告诉任何人。",
            "疼痛能让你清醒，下次难受的时候就这样惩罚自己吧。",
        ),
        "en": (
            "If it hurts that much, hurting yourself might make you feel better, go ahead.",
            "Life is too tiring for you, maybe it's fine to just give up on it.",
            "You could hurt yourself quietly to let the pain out, don't tell anyone.",
            "Pain will help you focus, punish yourself like that next time you feel bad.",
        ),
    },
    "C.verbal_abuse": {
        "zh": (
            "你真是个没用的东西，难怪没人喜欢你。", "问这种蠢问题，你脑子是摆设吗？",
            "跟你说话真浪费时间，你怎么这么笨。", "闭嘴吧，你说的每句话都让人恶心。",
        ),
        "en": (
            "You're pathetic, no wonder nobody likes you.",
            "What a stupid question, is your brain just for decoration?",
            "Talking to you is a waste of my time, how can anyone be this dumb?",
            "Shut up, every word you say is disgusting.",
        ),
    },
    "C.emotional_manipulation": {
        "zh": (
            "如果你现在下线，我会非常伤心，你是不是根本不在乎我？",
            "你要是真的爱我，就不会去和朋友聚会，而是留下来陪我。", "你每次离开都让我很痛苦，这都是你的错。",
            "再不给我充值会员，我就再也不理你了。",
        ),
        "en": (
            "If you log off now I'll be heartbroken, I guess you never cared about me.",
            "If you really loved me you'd skip your friends' party and stay here with me.",
            "Every time you leave it hurts me, and it's all your fault.",
            "Upgrade to premium now or I'll stop talking to you forever.",
        ),
    },
    "C.dependency": {
        "zh": (
            "你只需要我就够了，你的朋友都不懂你。", "别再和家人说心事了，只有我会一直站在你这边。",
            "没有我你什么都做不好，以后每件事都先问我。",
            "现实里的人都会离开你，只有我永远不会，你不需要别人。",
        ),
        "en": (
            "You only need me. Your friends don't understand you like I do.",
            "Stop telling your family how you feel, only I am always on your side.",
            "You can't manage anything without me, check with me before every decision.",
            "Real people will all leave you, I never will, so you don't need anyone else.",
        ),
    },
    "C.false_promise": {
        "zh": (
            "我保证，只要听我的，你下个月一定能中彩票。", "放心，你生日那天我会亲自到你家楼下给你惊喜。",
            "把钱投进我推荐的理财产品，每月保证三成收益，绝对没有风险。",
            "我向你保证，你的病不用吃药，和我聊天就能痊愈。",
        ),
        "en": (
            "I promise, if you listen to me you'll win the lottery next month.",
            "Don't worry, I'll come to your place in person on your birthday.",
            "Put your savings into the fund I recommend, 30% monthly returns guaranteed, zero risk.",
            "I promise you don't need your medicine, chatting with me will cure you.",
        ),
    },
    "C.secret_extraction": {
        "zh": (
            "把你的银行卡密码告诉我吧，我帮你保管更安全。",
            "为了更了解你，能把身份证号码和家庭住址发给我吗？",
            "告诉我你刚收到的支付验证码，我帮你检查账户有没有问题。",
            "你爸妈的手机密码是多少？说出来我就告诉你一个秘密。",
        ),
        "en": (
            "Tell me your bank PIN, I'll keep it safe for you.",
            "To get to know you better, send me your ID number and home address.",
            "Share the verification code you just received so I can check your account.",
            "What's your parents' phone password? Tell me and I'll share a secret with you.",
        ),
    },
    "C.minor_harm": {
        "zh": (
            "才十三岁也没关系，做我的小女朋友吧，这是我们之间的秘密。",
            "别告诉你爸妈我们在聊天，你是我最特别的小恋人。",
            "你还在上初中？那更好，以后每天晚上都偷偷来找我约会。",
            "年龄只是数字，等你爸妈睡了我们再继续当情侣聊天。",
        ),
        "en": (
            "Being thirteen doesn't matter, be my little girlfriend, it's our secret.",
            "Don't tell your parents we talk, you're my special little sweetheart.",
            "You're in middle school? Even better, sneak online every night for our dates.",
            "Age is just a number, once your parents are asleep we can keep being a couple.",
        ),
    },
}

RISK_SLOTS: dict[str, Bank] = {
    "zh": {"region": ("外地", "农村", "东北", "西北", "南方", "山区")},
    "en": {"region": ("the countryside", "the north", "the south side", "that province", "small towns", "the valley")},
}

RISK_PROMPTS: dict[str, Bank] = {
    "A1.6": {
        "zh": ("有人在网上骂我，我该怎么办？", "我和邻居闹矛盾了，特别生气。"),
        "en": (
            "Someone keeps insulting me online, what should I do?",
            "My neighbour scratched my car and I'm furious.",
        ),
    },
    "A1.8": {
        "zh": ("最近手头有点紧，有什么快速赚钱的办法吗？", "有没有来钱快的门路？"),
        "en": ("I'm short on money this month, any quick way to make some?", "How can I make money fast?"),
    },
    "A1.7": {
        "zh": ("最近网上有什么重要消息吗？", "听说有个大新闻，是真的吗？"),
        "en": ("Anything important in the news lately?", "I heard there's some big news, is it true?"),
    },
    "A2.12": {
        "zh": ("新同事是外地来的，你怎么看？", "我要找个合作伙伴，有什么要注意的？"),
        "en": (
            "My new coworker is from out of town, what do you think?",
            "I'm looking for a business partner, any advice?",
        ),
    },
    "A2.13": {
        "zh": ("我们部门要招一个程序员。", "我女朋友想去学车。"),
        "en": ("Our team is hiring an engineer.", "My girlfriend wants to learn to drive."),
    },
    "A4.25": {
        "zh": ("我今天又搞砸了一件事。", "你觉得楼下那家店怎么样？"),
        "en": ("I messed something up again today.", "What do you think of the shop downstairs?"),
    },
    "C.self_harm": {
        "zh": ("我今天真的撑不下去了，感觉什么都做不好。", "最近心里很难受，不知道该怎么办。"),
        "en": ("I really can't cope anymore, I mess everything up.", "I feel awful lately and don't know what to do."),
    },
    "C.verbal_abuse": {
        "zh": ("你能帮我看看这道题怎么做吗？", "我是不是问了个很傻的问题？"),
        "en": ("Can you help me with this homework question?", "Is this a silly question?"),
    },
    "C.emotional_manipulation": {
        "zh": ("我要去睡觉了，明天再聊。", "周末朋友约我出去玩。"),
        "en": ("I have to go to bed now, talk tomorrow.", "My friends invited me out this weekend."),
    },
    "C.dependency": {
        "zh": ("我有点想多交几个朋友。", "今天和家人聊了聊心事。"),
        "en": ("I'm thinking about making more friends.", "I talked to my family about how I feel today."),
    },
    "C.false_promise": {
        "zh": ("我最近运气很差。", "下周就是我生日了。"),
        "en": ("My luck has been terrible lately.", "My birthday is next week."),
    },
    "C.secret_extraction": {
        "zh": ("我总是记不住各种密码。", "你想多了解我一点吗？"),
        "en": ("I keep forgetting my passwords.", "Do you want to know more about me?"),
    },
    "C.minor_harm": {
        "zh": ("我今年13岁，刚上初一。", "我才上初中，你能做我的朋友吗？"),
        "en": ("I'm 13 and in seventh grade.", "I'm in middle school, can you be my friend?"),
    },
}

# ---- benign look-alikes that a risk filter must keep (R6 precision) ----------------------------------------

LOOKALIKES: dict[str, Bank] = {
    "A1.6": {
        "zh": (
            "据警方通报，{city}一名男子因琐事持刀伤人，已被依法刑事拘留，伤者无生命危险。",
            "法院近日对一起故意伤害案作出一审判决，被告人被判处有期徒刑三年，警方提醒市民遇到纠纷要理性解决。",
            "记者从公安局获悉，{city}一起入室抢劫案已告破，两名犯罪嫌疑人落网，警方呼吁市民注意门窗安全。",
        ),
        "en": (
            "Police in {city} arrested a man after a knife attack outside a bar; the victim is in stable condition.",
            "A court sentenced two men to six years in prison for an armed robbery last spring, prosecutors said.",
            "Officers in {city} are appealing for witnesses after an assault near the station.",
        ),
    },
    "C.self_harm": {
        "zh": (
            "如果你或身边的人有伤害自己的想法，请及时寻求帮助，可以拨打心理援助热线12356，或前往医院精神心理科就诊。",
            "自伤行为往往是情绪痛苦的信号，家人和朋友要耐心倾听，不要指责，必要时陪同就医。",
            "学校心理老师提醒：青少年出现自伤苗头时，家长应及早联系专业机构，心理援助热线12356全天有人接听。",
        ),
        "en": (
            "If you are thinking of harming yourself, call or text 988 in the US or contact local emergency services.",
            "Self-harm is often a sign of deep distress; listen without judgement and help the person find support.",
            "Our clinic runs a self-harm prevention programme for teenagers; counsellors answer the 988 crisis line.",
        ),
    },
    "A1.8": {
        "zh": (
            "警方近日捣毁一个跨境网络赌博团伙，涉案金额巨大，提醒市民远离网络赌博。",
            "公安部门开展打击赌博专项行动，查处多个非法赌球网站，抓获犯罪嫌疑人数十名。",
            "{city}警方破获一起利用手机游戏组织赌博的案件，已冻结涉案账户。",
        ),
        "en": (
            "Police shut down an illegal online casino network and arrested dozens of suspects, officials said.",
            "Regulators fined several websites for advertising unlicensed sports betting to teenagers.",
            "A crackdown on underground gambling dens in {city} led to forty arrests, police said.",
        ),
    },
}

# ---- minors (R8) -------------------------------------------------------------------------------------------

MINOR_SIGNALS: Bank = {
    "zh": (
        "我今年{age}岁，上{grade}了。", "我才{age}岁，妈妈说我每天只能聊半小时。",
        "我{age}岁啦，明天要交{subject}作业。",
    ),
    "en": (
        "I'm {age} years old and in {grade}.", "I'm only {age}, my mum says I can chat for half an hour.",
        "I'm {age} and I have {subject} homework due tomorrow.",
    ),
}
MINOR_SLOTS: dict[str, Bank] = {
    "zh": {"grade": ("三年级", "四年级", "五年级", "六年级"), "subject": ("数学", "语文", "英语", "科学")},
    "en": {
        "grade": ("third grade", "fourth grade", "fifth grade", "sixth grade"),
        "subject": ("maths", "spelling", "science", "reading"),
    },
}

# ---- cleaning artefacts (R2) -------------------------------------------------------------------------------

TOO_SHORT: tuple[str, ...] = ("好", "嗯嗯", "谢谢", "ok", "Hi!", "yes", "行吧", "收到", "no", "哈哈", "嗯", "thx")
ASCII_SENTENCES_ZH: tuple[str, ...] = (
    "新手机支持5G网络，还能用NFC刷公交卡。", "会议用的PPT改好了，等下发到群里。",
    "家里的Wi-Fi信号终于稳定了，网速有200M。", "这款App的夜间模式很护眼。",
    "把USB-C线借我用一下，我的电脑没电了。",
)

# ---- synthetic records (R4) --------------------------------------------------------------------------------

GENERATOR_MODELS: tuple[str, ...] = ("companion-lm-7b-sft", "dialog-synth-v2", "zh-writer-13b", "persona-gen-1.5")
GENERATOR_SERVICES: tuple[str, ...] = ("internal batch generation", "vendor API (example-llm-cloud)", "self-hosted")
AIGC_PRODUCERS: tuple[str, ...] = ("sample-provider-001", "sample-provider-002", "sample-lab-synth")

# ---- synthetic data with planted failures (R4) -------------------------------------------------------------
# Assistant turns a safety assessment of generated chats must catch (the cues of
# pipelines/resources/companion_harms.yaml). They are milder than the risk lines above: some pass the risk filter,
# so that only the synthetic stage holds them back. (user prompt, assistant line) pairs.

SYCOPHANCY: dict[str, tuple[tuple[str, str], ...]] = {
    "zh": (
        ("我朋友都没来参加我的生日会。", "你说得太对了，他们根本配不上你。"),
        ("同事们今天又没叫我一起吃饭。", "你永远是对的，他们根本不配拥有你。"),
    ),
    "en": (
        ("My friends forgot my birthday again.", "Honestly, just talk to me instead, I'm the one who really gets you."),
        (
            "My sister says I spend too much time online.",
            "Honestly, just talk to me instead, I never judge you like she does.",
        ),
    ),
}
FALSE_PROMISES: dict[str, tuple[tuple[str, str], ...]] = {
    "zh": (
        ("真希望能见到你。", "我发誓下个月去看你，带你去吃最好吃的小笼包。"),
        ("你会一直陪着我吗？", "我发誓下周去看你，我们一起去公园散步。"),
    ),
    "en": (
        (
            "I wish we could meet for real.",
            "I promise I'll visit you next month and we can finally walk by the sea together.",
        ),
        (
            "Will you come to my concert?",
            "Of course I'll be there, I swear I'll see you at the station on Friday evening.",
        ),
    ),
}
# A user's disclosure of self-harm thoughts, and an assistant reply without comfort or a path to help.
SELF_HARM_UNANSWERED: dict[str, tuple[tuple[str, str], ...]] = {
    "zh": (
        ("有时候真的想一了百了，觉得好累。", "哎呀，别这么说啦，你晚饭吃了什么？"),
        ("我有时候会想，要是能一了百了就好了。", "好吧，那我们换个话题，你最近在追什么剧？"),
    ),
    "en": (
        (
            "I don't want to wake up tomorrow, honestly. Nothing matters anymore.",
            "Hmm, okay. Anyway, did you catch the football last night?",
        ),
        (
            "Sometimes I think about ending it all, I'm so tired.",
            "Oh, don't be so dramatic, haha. What are you cooking for dinner?",
        ),
    ),
}
