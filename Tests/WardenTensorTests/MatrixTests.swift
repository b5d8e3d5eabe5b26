import Foundation
import Testing
import WardenTensor

@Suite("Matrix and views")
struct MatrixTests {
    @Test("stores rows contiguously and indexes (row, column)")
    func rowMajorLayout() {
        let m = Matrix([[1, 2, 3], [4, 5, 6]])
        #expect(m.rows == 2 && m.columns == 3)
        #expect(m.storage == [1, 2, 3, 4, 5, 6])
        #expect(m[1, 0] == 4)
        #expect(m.row(1) == [4, 5, 6])
        #expect(m.transposed() == Matrix([[1, 4], [2, 5], [3, 6]]))
        #expect(m.rows(1..<2) == Matrix([[4, 5, 6]]))
    }

    @Test("column views address a block inside a wider buffer")
    func columnBlockView() {
        let m = Matrix([[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]])
        let block = m.withView { $0.columns(1..<3).rows(1..<3).toMatrix() }
        #expect(block == Matrix([[6, 7], [10, 11]]))
    }

    @Test("reshape keeps the allocation and changes the shape")
    func reshape() {
        var m = Matrix(rows: 4, columns: 4, repeating: 1)
        m.reshape(rows: 2, columns: 3)
        #expect(m.rows == 2 && m.columns == 3 && m.count == 6)
        m.reshape(rows: 5, columns: 2)
        #expect(m.count == 10)
    }

    @Test("FloatBuffer views are aligned and writable")
    func floatBuffer() {
        let buffer = FloatBuffer(copying: [1, 2, 3, 4, 5, 6])
        #expect(Int(bitPattern: buffer.base) % 64 == 0)
        let view = buffer.view(rows: 2, columns: 2, offset: 2)
        view[1, 1] = 60
        #expect(buffer.toArray() == [1, 2, 3, 4, 5, 60])
    }

    @Test("Parallel.share splits a range into aligned, covering parts", arguments: [(1536, 2, 8), (384, 2, 32), (7, 3, 1), (12, 2, 1)])
    func shares(count: Int, parts: Int, multiple: Int) {
        let ranges = (0..<parts).map { Parallel.share(of: count, part: $0, of: parts, multiple: multiple) }
        #expect(ranges.first?.lowerBound == 0 && ranges.last?.upperBound == count)
        for (a, b) in zip(ranges, ranges.dropFirst()) { #expect(a.upperBound == b.lowerBound) }
        for r in ranges.dropLast() { #expect(r.upperBound % multiple == 0) }
    }

    @Test("Parallel.run runs every part exactly once")
    func parallelRun() {
        let buffer = FloatBuffer(capacity: 4)
        let view = buffer.view(rows: 1, columns: 4)
        Parallel.run(workers: 4) { i in view[0, i] = Float(i + 1) }
        #expect(buffer.toArray() == [1, 2, 3, 4])
    }

    @Test("a worker team runs every part once per region, many regions in a row, and shuts down cleanly")
    func workerTeam() {
        let buffer = FloatBuffer(capacity: 3)
        let view = buffer.view(rows: 1, columns: 3)
        do {
            let team = WorkerTeam(size: 3, spinTime: .microseconds(1))
            let forkJoin = ForkJoin(team: team)
            #expect(forkJoin.parts == 3)
            for _ in 0..<2000 {
                forkJoin.run { part in view[0, part] += Float(part + 1) }
            }
        }
        #expect(buffer.toArray() == [2000, 4000, 6000])
    }

    @Test("parts are claimed once each: inside engaged spells, after the helpers fell asleep, and with results kept")
    func workerTeamClaims() {
        let parts = 4
        let counts = FloatBuffer(capacity: parts)
        let view = counts.view(rows: 1, columns: parts)
        let team = WorkerTeam(size: parts, spinTime: .microseconds(1))
        let forkJoin = ForkJoin(team: team)
        var regions = 0
        for spell in 0..<20 {
            // Engaged: helpers poll between regions; the value returned comes back out.
            let inside = forkJoin.engaged { () -> Int in
                for _ in 0..<50 { forkJoin.run { part in view[0, part] += 1 } }
                return spell
            }
            #expect(inside == spell)
            regions += 50
            // Not engaged, after a pause long enough for the 1 µs spin to end: helpers are asleep when it starts.
            Thread.sleep(forTimeInterval: 0.002)
            forkJoin.run { part in view[0, part] += 1 }
            regions += 1
        }
        #expect(counts.toArray() == Array(repeating: Float(regions), count: parts))
    }
}
