// Generated from src/protocol/tsro.proto by scripts/generate-proto-module.js (run by `npm run build`).
// Edit tsro.proto, not this file: spec/protocol/schema.spec.ts checks that this is what the .proto
// parses to.

import type { INamespace } from 'protobufjs/light';

/** src/protocol/tsro.proto as a protobufjs JSON descriptor. */
export const TSRO_DESCRIPTOR = {
 "nested": {
  "tsro": {
   "nested": {
    "v1": {
     "nested": {
      "Packet": {
       "oneofs": {
        "kind": {
         "oneof": [
          "propertyChange",
          "invoke",
          "reply",
          "signal",
          "setProperty",
          "handshake",
          "sourceList",
          "sourceAdded",
          "sourceRemoved",
          "acquire",
          "release",
          "init",
          "ping",
          "pong",
          "goodbye",
          "acquireRefused",
          "cancel",
          "streamItems",
          "streamCredit",
          "modelInit",
          "rowsRequest",
          "rowsReply",
          "rowsInserted",
          "rowsRemoved",
          "rowsMoved",
          "rowsChanged",
          "modelReset",
          "rowSet",
          "sourceQuery",
          "sourcePage"
         ]
        }
       },
       "fields": {
        "propertyChange": {
         "type": "PropertyChange",
         "id": 1,
         "protoName": "property_change"
        },
        "invoke": {
         "type": "Invoke",
         "id": 2
        },
        "reply": {
         "type": "InvokeReply",
         "id": 3
        },
        "signal": {
         "type": "SignalEmit",
         "id": 4
        },
        "setProperty": {
         "type": "SetProperty",
         "id": 5,
         "protoName": "set_property"
        },
        "handshake": {
         "type": "Handshake",
         "id": 6
        },
        "sourceList": {
         "type": "SourceList",
         "id": 7,
         "protoName": "source_list"
        },
        "sourceAdded": {
         "type": "SourceAdded",
         "id": 8,
         "protoName": "source_added"
        },
        "sourceRemoved": {
         "type": "SourceRemoved",
         "id": 9,
         "protoName": "source_removed"
        },
        "acquire": {
         "type": "Acquire",
         "id": 10
        },
        "release": {
         "type": "Release",
         "id": 11
        },
        "init": {
         "type": "Init",
         "id": 12
        },
        "ping": {
         "type": "Ping",
         "id": 13
        },
        "pong": {
         "type": "Pong",
         "id": 14
        },
        "goodbye": {
         "type": "Goodbye",
         "id": 15
        },
        "acquireRefused": {
         "type": "AcquireRefused",
         "id": 16,
         "protoName": "acquire_refused"
        },
        "cancel": {
         "type": "CancelCall",
         "id": 20
        },
        "streamItems": {
         "type": "StreamItems",
         "id": 21,
         "protoName": "stream_items"
        },
        "streamCredit": {
         "type": "StreamCredit",
         "id": 22,
         "protoName": "stream_credit"
        },
        "modelInit": {
         "type": "ModelInit",
         "id": 30,
         "protoName": "model_init"
        },
        "rowsRequest": {
         "type": "RowsRequest",
         "id": 31,
         "protoName": "rows_request"
        },
        "rowsReply": {
         "type": "RowsReply",
         "id": 32,
         "protoName": "rows_reply"
        },
        "rowsInserted": {
         "type": "RowsInserted",
         "id": 33,
         "protoName": "rows_inserted"
        },
        "rowsRemoved": {
         "type": "RowsRemoved",
         "id": 34,
         "protoName": "rows_removed"
        },
        "rowsMoved": {
         "type": "RowsMoved",
         "id": 35,
         "protoName": "rows_moved"
        },
        "rowsChanged": {
         "type": "RowsChanged",
         "id": 36,
         "protoName": "rows_changed"
        },
        "modelReset": {
         "type": "ModelReset",
         "id": 37,
         "protoName": "model_reset"
        },
        "rowSet": {
         "type": "RowSet",
         "id": 38,
         "protoName": "row_set"
        },
        "sourceQuery": {
         "type": "SourceQuery",
         "id": 40,
         "protoName": "source_query"
        },
        "sourcePage": {
         "type": "SourcePage",
         "id": 41,
         "protoName": "source_page"
        }
       }
      },
      "Handshake": {
       "fields": {
        "version": {
         "type": "uint32",
         "id": 1
        },
        "agent": {
         "type": "string",
         "id": 2
        },
        "maxFrameSize": {
         "type": "uint32",
         "id": 3,
         "protoName": "max_frame_size"
        },
        "credential": {
         "type": "Value",
         "id": 4
        },
        "sourceListLimit": {
         "type": "uint32",
         "id": 5,
         "protoName": "source_list_limit"
        }
       }
      },
      "SourceInfo": {
       "fields": {
        "id": {
         "type": "uint32",
         "id": 1
        },
        "name": {
         "type": "string",
         "id": 2
        },
        "typeName": {
         "type": "string",
         "id": 3,
         "protoName": "type_name"
        },
        "signature": {
         "type": "string",
         "id": 4
        },
        "child": {
         "type": "bool",
         "id": 5
        }
       }
      },
      "SourceList": {
       "fields": {
        "sources": {
         "rule": "repeated",
         "type": "SourceInfo",
         "id": 1
        },
        "partial": {
         "type": "bool",
         "id": 2
        },
        "total": {
         "type": "uint32",
         "id": 3
        }
       }
      },
      "SourceQuery": {
       "fields": {
        "request": {
         "type": "uint32",
         "id": 1
        },
        "names": {
         "rule": "repeated",
         "type": "string",
         "id": 2
        },
        "after": {
         "type": "uint32",
         "id": 3
        },
        "limit": {
         "type": "uint32",
         "id": 4
        }
       }
      },
      "SourcePage": {
       "fields": {
        "request": {
         "type": "uint32",
         "id": 1
        },
        "sources": {
         "rule": "repeated",
         "type": "SourceInfo",
         "id": 2
        },
        "next": {
         "type": "uint32",
         "id": 3
        }
       }
      },
      "SourceAdded": {
       "fields": {
        "source": {
         "type": "SourceInfo",
         "id": 1
        }
       }
      },
      "SourceRemoved": {
       "fields": {
        "source": {
         "type": "uint32",
         "id": 1
        }
       }
      },
      "Goodbye": {
       "fields": {
        "error": {
         "type": "ErrorInfo",
         "id": 1
        }
       }
      },
      "Acquire": {
       "fields": {
        "source": {
         "type": "uint32",
         "id": 1
        },
        "wantDefinition": {
         "type": "bool",
         "id": 2,
         "protoName": "want_definition"
        },
        "sharedStream": {
         "type": "bool",
         "id": 3,
         "protoName": "shared_stream"
        }
       }
      },
      "Release": {
       "fields": {
        "source": {
         "type": "uint32",
         "id": 1
        }
       }
      },
      "Init": {
       "fields": {
        "source": {
         "type": "uint32",
         "id": 1
        },
        "values": {
         "rule": "repeated",
         "type": "Value",
         "id": 2
        },
        "definition": {
         "type": "ApiDefinition",
         "id": 3
        },
        "streamSeq": {
         "type": "uint64",
         "id": 4,
         "protoName": "stream_seq"
        }
       }
      },
      "AcquireRefused": {
       "fields": {
        "source": {
         "type": "uint32",
         "id": 1
        },
        "error": {
         "type": "ErrorInfo",
         "id": 2
        }
       }
      },
      "PropertyChange": {
       "fields": {
        "source": {
         "type": "uint32",
         "id": 1
        },
        "index": {
         "type": "uint32",
         "id": 2
        },
        "value": {
         "type": "Value",
         "id": 3
        }
       }
      },
      "SignalEmit": {
       "fields": {
        "source": {
         "type": "uint32",
         "id": 1
        },
        "index": {
         "type": "uint32",
         "id": 2
        },
        "args": {
         "rule": "repeated",
         "type": "Value",
         "id": 3
        }
       }
      },
      "Invoke": {
       "fields": {
        "source": {
         "type": "uint32",
         "id": 1
        },
        "index": {
         "type": "uint32",
         "id": 2
        },
        "serial": {
         "type": "uint32",
         "id": 3
        },
        "args": {
         "rule": "repeated",
         "type": "Value",
         "id": 4
        }
       }
      },
      "SetProperty": {
       "fields": {
        "source": {
         "type": "uint32",
         "id": 1
        },
        "index": {
         "type": "uint32",
         "id": 2
        },
        "value": {
         "type": "Value",
         "id": 3
        },
        "serial": {
         "type": "uint32",
         "id": 4
        }
       }
      },
      "InvokeReply": {
       "fields": {
        "serial": {
         "type": "uint32",
         "id": 1
        },
        "value": {
         "type": "Value",
         "id": 2
        },
        "error": {
         "type": "ErrorInfo",
         "id": 3
        }
       }
      },
      "ErrorInfo": {
       "fields": {
        "code": {
         "type": "string",
         "id": 1
        },
        "name": {
         "type": "string",
         "id": 2
        },
        "message": {
         "type": "string",
         "id": 3
        },
        "data": {
         "type": "Value",
         "id": 4
        },
        "cause": {
         "type": "ErrorInfo",
         "id": 5
        }
       }
      },
      "CancelCall": {
       "fields": {
        "serial": {
         "type": "uint32",
         "id": 1
        },
        "code": {
         "type": "string",
         "id": 2
        }
       }
      },
      "StreamItems": {
       "fields": {
        "serial": {
         "type": "uint32",
         "id": 1
        },
        "items": {
         "rule": "repeated",
         "type": "Value",
         "id": 2
        }
       }
      },
      "StreamCredit": {
       "fields": {
        "serial": {
         "type": "uint32",
         "id": 1
        },
        "items": {
         "type": "uint32",
         "id": 2
        }
       }
      },
      "Ping": {
       "fields": {
        "nonce": {
         "type": "uint32",
         "id": 1
        }
       }
      },
      "Pong": {
       "fields": {
        "nonce": {
         "type": "uint32",
         "id": 1
        }
       }
      },
      "ModelInit": {
       "fields": {
        "source": {
         "type": "uint32",
         "id": 1
        },
        "count": {
         "type": "uint32",
         "id": 2
        },
        "rowType": {
         "type": "TypeRef",
         "id": 3,
         "protoName": "row_type"
        },
        "readonly": {
         "type": "bool",
         "id": 4
        }
       }
      },
      "RowsRequest": {
       "fields": {
        "source": {
         "type": "uint32",
         "id": 1
        },
        "request": {
         "type": "uint32",
         "id": 2
        },
        "start": {
         "type": "uint32",
         "id": 3
        },
        "count": {
         "type": "uint32",
         "id": 4
        },
        "cacheSize": {
         "type": "uint32",
         "id": 5,
         "protoName": "cache_size"
        },
        "fields": {
         "rule": "repeated",
         "type": "string",
         "id": 6
        },
        "uncached": {
         "type": "bool",
         "id": 7
        }
       }
      },
      "RowsReply": {
       "fields": {
        "source": {
         "type": "uint32",
         "id": 1
        },
        "request": {
         "type": "uint32",
         "id": 2
        },
        "start": {
         "type": "uint32",
         "id": 3
        },
        "rows": {
         "rule": "repeated",
         "type": "Value",
         "id": 4
        },
        "error": {
         "type": "ErrorInfo",
         "id": 5
        }
       }
      },
      "RowsInserted": {
       "fields": {
        "source": {
         "type": "uint32",
         "id": 1
        },
        "start": {
         "type": "uint32",
         "id": 2
        },
        "count": {
         "type": "uint32",
         "id": 3
        },
        "rows": {
         "rule": "repeated",
         "type": "Value",
         "id": 4
        }
       }
      },
      "RowsRemoved": {
       "fields": {
        "source": {
         "type": "uint32",
         "id": 1
        },
        "start": {
         "type": "uint32",
         "id": 2
        },
        "count": {
         "type": "uint32",
         "id": 3
        }
       }
      },
      "RowsMoved": {
       "fields": {
        "source": {
         "type": "uint32",
         "id": 1
        },
        "start": {
         "type": "uint32",
         "id": 2
        },
        "count": {
         "type": "uint32",
         "id": 3
        },
        "destination": {
         "type": "uint32",
         "id": 4
        }
       }
      },
      "RowsChanged": {
       "fields": {
        "source": {
         "type": "uint32",
         "id": 1
        },
        "start": {
         "type": "uint32",
         "id": 2
        },
        "rows": {
         "rule": "repeated",
         "type": "Value",
         "id": 3
        }
       }
      },
      "ModelReset": {
       "fields": {
        "source": {
         "type": "uint32",
         "id": 1
        },
        "count": {
         "type": "uint32",
         "id": 2
        }
       }
      },
      "RowSet": {
       "fields": {
        "source": {
         "type": "uint32",
         "id": 1
        },
        "request": {
         "type": "uint32",
         "id": 2
        },
        "index": {
         "type": "uint32",
         "id": 3
        },
        "row": {
         "type": "Value",
         "id": 4
        }
       }
      },
      "Value": {
       "oneofs": {
        "kind": {
         "oneof": [
          "int",
          "double",
          "string",
          "bool",
          "bytes",
          "null",
          "bigint",
          "date",
          "list",
          "object",
          "map",
          "buffer",
          "doubles",
          "ints"
         ]
        }
       },
       "fields": {
        "int": {
         "type": "sint32",
         "id": 1
        },
        "double": {
         "type": "double",
         "id": 2
        },
        "string": {
         "type": "string",
         "id": 3
        },
        "bool": {
         "type": "bool",
         "id": 4
        },
        "bytes": {
         "type": "bytes",
         "id": 5
        },
        "null": {
         "type": "NullValue",
         "id": 6
        },
        "bigint": {
         "type": "bytes",
         "id": 7
        },
        "date": {
         "type": "double",
         "id": 8
        },
        "list": {
         "type": "ValueList",
         "id": 9
        },
        "object": {
         "type": "Struct",
         "id": 10
        },
        "map": {
         "type": "MapValue",
         "id": 11
        },
        "buffer": {
         "type": "bytes",
         "id": 12
        },
        "doubles": {
         "type": "PackedDoubles",
         "id": 13
        },
        "ints": {
         "type": "PackedInts",
         "id": 14
        }
       }
      },
      "NullValue": {
       "values": {
        "NULL_VALUE": 0
       }
      },
      "ValueList": {
       "fields": {
        "items": {
         "rule": "repeated",
         "type": "Value",
         "id": 1
        }
       }
      },
      "Struct": {
       "fields": {
        "fields": {
         "rule": "repeated",
         "type": "Field",
         "id": 1
        }
       },
       "nested": {
        "Field": {
         "fields": {
          "key": {
           "type": "string",
           "id": 1
          },
          "value": {
           "type": "Value",
           "id": 2
          }
         }
        }
       }
      },
      "MapValue": {
       "fields": {
        "entries": {
         "rule": "repeated",
         "type": "Entry",
         "id": 1
        }
       },
       "nested": {
        "Entry": {
         "fields": {
          "key": {
           "type": "Value",
           "id": 1
          },
          "value": {
           "type": "Value",
           "id": 2
          }
         }
        }
       }
      },
      "PackedDoubles": {
       "fields": {
        "items": {
         "rule": "repeated",
         "type": "double",
         "id": 1
        }
       }
      },
      "PackedInts": {
       "fields": {
        "items": {
         "rule": "repeated",
         "type": "sint32",
         "id": 1
        }
       }
      },
      "ApiDefinition": {
       "fields": {
        "typeName": {
         "type": "string",
         "id": 1,
         "protoName": "type_name"
        },
        "signature": {
         "type": "string",
         "id": 2
        },
        "properties": {
         "rule": "repeated",
         "type": "PropertyDef",
         "id": 3
        },
        "signals": {
         "rule": "repeated",
         "type": "MethodDef",
         "id": 4
        },
        "slots": {
         "rule": "repeated",
         "type": "MethodDef",
         "id": 5
        }
       }
      },
      "PropertyMode": {
       "values": {
        "WRITABLE": 0,
        "READONLY": 1,
        "CONSTANT": 2,
        "SOURCE_ONLY_SETTER": 3
       }
      },
      "PropertyDef": {
       "fields": {
        "name": {
         "type": "string",
         "id": 1
        },
        "type": {
         "type": "TypeRef",
         "id": 2
        },
        "mode": {
         "type": "PropertyMode",
         "id": 3
        }
       }
      },
      "MethodDef": {
       "fields": {
        "name": {
         "type": "string",
         "id": 1
        },
        "params": {
         "rule": "repeated",
         "type": "ParamDef",
         "id": 2
        },
        "returns": {
         "type": "TypeRef",
         "id": 3
        },
        "required": {
         "type": "uint32",
         "id": 4
        },
        "stream": {
         "type": "bool",
         "id": 5
        }
       }
      },
      "ParamDef": {
       "fields": {
        "name": {
         "type": "string",
         "id": 1
        },
        "type": {
         "type": "TypeRef",
         "id": 2
        }
       }
      },
      "Scalar": {
       "values": {
        "ANY": 0,
        "VOID": 1,
        "BOOL": 2,
        "INT32": 3,
        "INT64": 4,
        "DOUBLE": 5,
        "STRING": 6,
        "BYTES": 7,
        "DATE": 8
       }
      },
      "TypeRef": {
       "oneofs": {
        "kind": {
         "oneof": [
          "scalar",
          "array",
          "map",
          "object",
          "nullable",
          "enumType",
          "valueType",
          "child"
         ]
        }
       },
       "fields": {
        "scalar": {
         "type": "Scalar",
         "id": 1
        },
        "array": {
         "type": "TypeRef",
         "id": 2
        },
        "map": {
         "type": "TypeRef",
         "id": 3
        },
        "object": {
         "type": "ObjectType",
         "id": 4
        },
        "nullable": {
         "type": "TypeRef",
         "id": 5
        },
        "enumType": {
         "type": "EnumType",
         "id": 6,
         "protoName": "enum_type"
        },
        "valueType": {
         "type": "ValueTypeDef",
         "id": 7,
         "protoName": "value_type"
        },
        "child": {
         "type": "ChildType",
         "id": 8
        }
       }
      },
      "ChildType": {
       "fields": {
        "typeName": {
         "type": "string",
         "id": 1,
         "protoName": "type_name"
        },
        "signature": {
         "type": "string",
         "id": 2
        }
       }
      },
      "EnumType": {
       "fields": {
        "name": {
         "type": "string",
         "id": 1
        },
        "members": {
         "rule": "repeated",
         "type": "EnumMember",
         "id": 2
        }
       }
      },
      "EnumMember": {
       "oneofs": {
        "value": {
         "oneof": [
          "number",
          "string"
         ]
        }
       },
       "fields": {
        "name": {
         "type": "string",
         "id": 1
        },
        "number": {
         "type": "double",
         "id": 2
        },
        "string": {
         "type": "string",
         "id": 3
        }
       }
      },
      "ValueTypeDef": {
       "fields": {
        "name": {
         "type": "string",
         "id": 1
        },
        "fields": {
         "rule": "repeated",
         "type": "FieldDef",
         "id": 2
        }
       }
      },
      "ObjectType": {
       "fields": {
        "fields": {
         "rule": "repeated",
         "type": "FieldDef",
         "id": 1
        }
       }
      },
      "FieldDef": {
       "fields": {
        "name": {
         "type": "string",
         "id": 1
        },
        "type": {
         "type": "TypeRef",
         "id": 2
        }
       }
      }
     }
    }
   }
  }
 }
} as INamespace;
