/// Where a tokenizer family puts its special tokens around one or two segments, and the token types it gives.
///
/// BERT: `[CLS] A [SEP]` and `[CLS] A [SEP] B [SEP]`, B typed 1. XLM-R: `<s> A </s>` and `<s> A </s></s> B </s>`,
/// every token typed 0 (its `create_token_type_ids_from_sequences` returns zeros).
struct Framing: Sendable {
    let start: Int32
    let end: Int32
    /// Tokens between the segments of a pair (BERT: `[SEP]`; XLM-R: `</s></s>`).
    let between: [Int32]
    /// Token type of the second segment and its framing.
    let secondTypeID: Int32

    static func bert(_ ids: SpecialTokenIDs) -> Framing {
        Framing(start: ids.classification, end: ids.separator, between: [ids.separator], secondTypeID: 1)
    }

    static func xlmRoberta(_ ids: SpecialTokenIDs) -> Framing {
        Framing(start: ids.classification, end: ids.separator, between: [ids.separator, ids.separator], secondTypeID: 0)
    }

    /// - Parameters:
    ///   - second: nil for one segment; an empty array still adds the second segment's framing.
    ///   - maxLength: total length including special tokens; nil means no limit. A limit smaller than the
    ///     special tokens themselves leaves only the special tokens.
    func assemble(first: [Int32], second: [Int32]?, maxLength: Int?, truncation: TruncationStrategy) -> Encoding {
        let specialCount = second == nil ? 2 : 2 + between.count
        var kept = (first: first.count, second: second?.count ?? 0)
        if let maxLength {
            kept = Truncation.keptLengths(first: first.count, second: second?.count, budget: maxLength - specialCount,
                                          strategy: truncation)
        }
        let dropped = first.count - kept.first + (second?.count ?? 0) - kept.second
        var ids: [Int32] = []
        ids.reserveCapacity(kept.first + kept.second + specialCount)
        ids.append(start)
        // `.leftOfFirst` keeps the end of the first segment; every other cut keeps the start.
        ids.append(contentsOf: truncation == .leftOfFirst ? first.suffix(kept.first) : first.prefix(kept.first))
        // The first segment owns the first separator; the rest of the pair framing belongs to the second.
        ids.append(between.first ?? end)
        let firstLength = ids.count
        if let second {
            ids.append(contentsOf: between.dropFirst())
            ids.append(contentsOf: second.prefix(kept.second))
            ids.append(end)
        }
        var typeIDs = [Int32](repeating: 0, count: ids.count)
        for index in firstLength..<ids.count { typeIDs[index] = secondTypeID }
        return Encoding(ids: ids, typeIDs: typeIDs, droppedPieceCount: dropped)
    }
}
