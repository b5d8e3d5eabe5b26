import Foundation

extension SafeTensorsFile {
    struct ParsedHeader {
        var tensors: [String: SafeTensorInfo]
        var metadata: [String: String]
        var dataStart: Int
    }

    /// Parses and validates the JSON header of a mapped file of `length` bytes.
    static func parseHeader(base: UnsafeRawPointer, length: Int, file: String) throws -> ParsedHeader {
        let headerLength = base.loadUnaligned(as: UInt64.self).littleEndian
        guard headerLength <= UInt64(length - 8) else {
            throw SafeTensorsError.truncated(file: file, detail: "header says \(headerLength) bytes, file has \(length - 8) after the length field")
        }
        let headerBytes = Data(bytes: base + 8, count: Int(headerLength))
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: headerBytes)
        } catch {
            throw SafeTensorsError.malformedHeader(file: file, detail: "not valid JSON (\(error.localizedDescription))")
        }
        guard let entries = json as? [String: Any] else {
            throw SafeTensorsError.malformedHeader(file: file, detail: "the header is not a JSON object")
        }
        let dataStart = 8 + Int(headerLength)
        let dataLength = length - dataStart
        var tensors: [String: SafeTensorInfo] = [:]
        var metadata: [String: String] = [:]
        for (name, value) in entries {
            if name == "__metadata__" {
                guard let map = value as? [String: String] else {
                    throw SafeTensorsError.malformedHeader(file: file, detail: "__metadata__ must map strings to strings")
                }
                metadata = map
                continue
            }
            let info = try parseEntry(name: name, value: value, file: file)
            if info.dataRange.upperBound > dataLength {
                throw SafeTensorsError.truncated(
                    file: file,
                    detail: "tensor '\(name)' needs bytes up to \(info.dataRange.upperBound) of the data section, which has \(dataLength)")
            }
            tensors[name] = info
        }
        return ParsedHeader(tensors: tensors, metadata: metadata, dataStart: dataStart)
    }

    private static func parseEntry(name: String, value: Any, file: String) throws -> SafeTensorInfo {
        guard let entry = value as? [String: Any] else {
            throw SafeTensorsError.malformedHeader(file: file, detail: "entry '\(name)' is not an object")
        }
        guard let dtypeName = entry["dtype"] as? String else {
            throw SafeTensorsError.malformedHeader(file: file, detail: "tensor '\(name)' has no string 'dtype'")
        }
        guard let dtype = SafeTensorsDType(rawValue: dtypeName) else {
            throw SafeTensorsError.unknownDType(file: file, tensor: name, dtype: dtypeName)
        }
        guard let shape = integers(entry["shape"]), shape.allSatisfy({ $0 >= 0 }) else {
            throw SafeTensorsError.malformedHeader(file: file, detail: "tensor '\(name)' has no valid 'shape' list")
        }
        guard let offsets = integers(entry["data_offsets"]), offsets.count == 2, offsets[0] >= 0, offsets[0] <= offsets[1]
        else {
            throw SafeTensorsError.malformedHeader(file: file, detail: "tensor '\(name)' has no valid 'data_offsets' pair")
        }
        let expectedBytes = shape.reduce(1, *) * dtype.byteCount
        guard offsets[1] - offsets[0] == expectedBytes else {
            throw SafeTensorsError.malformedHeader(
                file: file,
                detail: "tensor '\(name)' has \(offsets[1] - offsets[0]) data bytes but shape \(shape) of \(dtypeName) needs \(expectedBytes)")
        }
        return SafeTensorInfo(dtype: dtype, shape: shape, dataRange: offsets[0]..<offsets[1])
    }

    /// JSON numbers as `[Int]`, rejecting non-integers.
    private static func integers(_ value: Any?) -> [Int]? {
        guard let numbers = value as? [Any] else { return nil }
        var result: [Int] = []
        for number in numbers {
            guard let n = number as? NSNumber, let exact = Int(exactly: n.doubleValue) else { return nil }
            result.append(exact)
        }
        return result
    }
}
