/// A byte trie over the vocabulary's UTF-8 spellings, flattened into arrays.
///
/// WordPiece needs "the longest vocabulary entry that starts here". One walk down the trie answers it in
/// time linear in the match, where a hash map needs one lookup per candidate length. Keys are bytes, so
/// lookups are exact: Swift `String` equality would treat canonically equivalent spellings as equal.
/// Continuation pieces need no special table: `##x` is stored as spelled, and a continuation walk starts
/// at the node for `##`.
struct PieceTrie: Sendable {
    static let none: Int32 = -1
    static let root: Int32 = 0

    /// Token id ending at each node, or `none`.
    let tokenID: [Int32]
    /// First child of each node in `childByte`/`childNode`; children of one node are contiguous and sorted.
    let childStart: [Int32]
    let childCount: [Int32]
    let childByte: [UInt8]
    let childNode: [Int32]
    /// Index into `dense` (times 256) for nodes with many children, or `none`.
    let denseSlot: [Int32]
    let dense: [Int32]

    /// Nodes with more children than this get a 256-entry table instead of a scan.
    private static let denseThreshold = 12

    /// Builds the trie. Spellings must be distinct (the vocabulary checks that first).
    init(spellings: [[UInt8]]) {
        // Build with per-node child lists, then flatten into sorted contiguous runs.
        var children: [[(UInt8, Int32)]] = [[]]
        var ids: [Int32] = [PieceTrie.none]
        for (id, bytes) in spellings.enumerated() {
            var node = 0
            for byte in bytes {
                if let next = children[node].first(where: { $0.0 == byte }) {
                    node = Int(next.1)
                } else {
                    let next = Int32(children.count)
                    children[node].append((byte, next))
                    children.append([])
                    ids.append(PieceTrie.none)
                    node = Int(next)
                }
            }
            ids[node] = Int32(id)
        }
        var childStart: [Int32] = [], childCount: [Int32] = [], childByte: [UInt8] = [], childNode: [Int32] = []
        var denseSlot: [Int32] = [], dense: [Int32] = []
        childStart.reserveCapacity(children.count)
        childByte.reserveCapacity(children.count)
        childNode.reserveCapacity(children.count)
        for list in children {
            let sorted = list.sorted { $0.0 < $1.0 }
            childStart.append(Int32(childByte.count))
            childCount.append(Int32(sorted.count))
            childByte.append(contentsOf: sorted.map(\.0))
            childNode.append(contentsOf: sorted.map(\.1))
            if sorted.count > PieceTrie.denseThreshold {
                denseSlot.append(Int32(dense.count / 256))
                var table = [Int32](repeating: PieceTrie.none, count: 256)
                for (byte, node) in sorted { table[Int(byte)] = node }
                dense.append(contentsOf: table)
            } else {
                denseSlot.append(PieceTrie.none)
            }
        }
        (self.tokenID, self.childStart, self.childCount, self.childByte, self.childNode) =
            (ids, childStart, childCount, childByte, childNode)
        (self.denseSlot, self.dense) = (denseSlot, dense)
    }

    /// The node reached by walking `bytes` from `start`, or `none`.
    func node(for bytes: some Sequence<UInt8>, from start: Int32 = PieceTrie.root) -> Int32 {
        withView { view in
            var node = start
            for byte in bytes {
                node = view.child(of: node, byte)
                if node == PieceTrie.none { return PieceTrie.none }
            }
            return node
        }
    }

    /// The token id spelled exactly by `bytes`, or nil.
    func id(for bytes: some Sequence<UInt8>) -> Int32? {
        let node = node(for: bytes)
        guard node != PieceTrie.none, tokenID[Int(node)] != PieceTrie.none else { return nil }
        return tokenID[Int(node)]
    }

    /// Gives `body` unchecked access to the arrays for the WordPiece inner loop.
    func withView<R>(_ body: (View) throws -> R) rethrows -> R {
        try tokenID.withUnsafeBufferPointer { tokenID in
            try childStart.withUnsafeBufferPointer { childStart in
                try childCount.withUnsafeBufferPointer { childCount in
                    try childByte.withUnsafeBufferPointer { childByte in
                        try childNode.withUnsafeBufferPointer { childNode in
                            try denseSlot.withUnsafeBufferPointer { denseSlot in
                                try dense.withUnsafeBufferPointer { dense in
                                    try body(View(tokenID: tokenID, childStart: childStart, childCount: childCount,
                                                  childByte: childByte, childNode: childNode,
                                                  denseSlot: denseSlot, dense: dense))
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Borrowed, non-escaping view of the trie's arrays.
    struct View {
        let tokenID: UnsafeBufferPointer<Int32>
        let childStart: UnsafeBufferPointer<Int32>
        let childCount: UnsafeBufferPointer<Int32>
        let childByte: UnsafeBufferPointer<UInt8>
        let childNode: UnsafeBufferPointer<Int32>
        let denseSlot: UnsafeBufferPointer<Int32>
        let dense: UnsafeBufferPointer<Int32>

        @inline(__always)
        func child(of node: Int32, _ byte: UInt8) -> Int32 {
            let slot = denseSlot[Int(node)]
            if slot != PieceTrie.none { return dense[Int(slot) &* 256 &+ Int(byte)] }
            var index = Int(childStart[Int(node)])
            let end = index &+ Int(childCount[Int(node)])
            while index < end {
                let candidate = childByte[index]
                if candidate == byte { return childNode[index] }
                if candidate > byte { break }
                index &+= 1
            }
            return PieceTrie.none
        }
    }
}
