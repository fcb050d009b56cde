// Minimal types for the parts of the untyped `net-snmp` package (3.29) that the agent and the manager use.
//
// Ambient, so both emulators/mgmt/snmp (agent) and drivers/snmp (manager) see it without an import.
declare module 'net-snmp' {
  import type { EventEmitter } from 'node:events';
  import type * as dgram from 'node:dgram';

  namespace snmp {
    /** Constant tables map names to codes and codes back to names. */
    type Constants = Record<string, number> & Record<number, string>;

    interface Varbind {
      oid: string;
      type: number;
      value: unknown;
    }

    interface SessionOptions {
      port?: number;
      retries?: number;
      timeout?: number;
      backoff?: number;
      transport?: 'udp4' | 'udp6';
      version?: number;
      idBitsSize?: 16 | 32;
      context?: string;
    }

    interface User {
      name: string;
      level: number;
      authProtocol?: number;
      authKey?: string;
      privProtocol?: number;
      privKey?: string;
    }

    type ResponseCallback<T> = (error: Error | null, varbinds: T) => void;

    interface Session extends EventEmitter {
      get(oids: string[], callback: ResponseCallback<Varbind[]>): void;
      getNext(oids: string[], callback: ResponseCallback<Varbind[]>): void;
      getBulk(
        oids: string[],
        nonRepeaters: number,
        maxRepetitions: number,
        callback: ResponseCallback<Array<Varbind | Varbind[]>>,
      ): void;
      subtree(
        oid: string,
        maxRepetitions: number,
        feedCallback: (varbinds: Varbind[]) => boolean | void,
        doneCallback: (error: Error | null) => void,
      ): void;
      close(): void;
    }

    interface MibRequest {
      operation: number;
      oid: string;
      address: number[];
      instanceNode: { value: unknown; valueType: number };
      done(error?: { errorStatus: number; type?: number; value?: unknown }): void;
    }

    interface TableColumn {
      number: number;
      name: string;
      type: number;
      maxAccess: number;
    }

    interface Provider {
      name: string;
      type: number;
      oid: string;
      scalarType?: number;
      maxAccess?: number;
      tableColumns?: TableColumn[];
      tableAugments?: string;
      handler?: (request: MibRequest) => void;
    }

    interface Mib {
      registerProvider(provider: Provider): void;
      setScalarValue(name: string, value: unknown): void;
      addTableRow(table: string, row: unknown[]): void;
      deleteTableRow(table: string, rowIndex: unknown[]): boolean;
      getTableRowCells(table: string, rowIndex: unknown[]): unknown[];
    }

    interface Authorizer {
      addCommunity(community: string): void;
      addUser(user: User): void;
    }

    interface AgentOptions {
      port?: number;
      address?: string | null;
      transport?: 'udp4' | 'udp6';
      engineID?: string;
      disableAuthorization?: boolean;
      accessControlModelType?: number;
      /** A dgram-compatible module: lets the caller bind the socket itself. */
      dgramModule?: { createSocket(type: 'udp4' | 'udp6'): dgram.Socket };
    }

    interface Agent {
      getMib(): Mib;
      getAuthorizer(): Authorizer;
      close(callback?: () => void): void;
    }

    interface ModuleStore {
      loadFromFile(fileName: string): void;
      getProvidersForModule(moduleName: string): Provider[];
    }

    interface ResponseInvalidError extends Error {
      code: number;
    }
    interface RequestFailedError extends Error {
      status: number;
    }
  }

  const snmp: {
    Version2c: number;
    Version3: number;
    ObjectType: snmp.Constants;
    ErrorStatus: snmp.Constants;
    PduType: snmp.Constants;
    SecurityLevel: snmp.Constants;
    AuthProtocols: snmp.Constants;
    PrivProtocols: snmp.Constants;
    MibProviderType: snmp.Constants;
    MaxAccess: snmp.Constants;
    ResponseInvalidCode: snmp.Constants;
    AccessControlModelType: snmp.Constants;
    RequestFailedError: new (...args: never[]) => snmp.RequestFailedError;
    RequestTimedOutError: new (...args: never[]) => Error;
    ResponseInvalidError: new (...args: never[]) => snmp.ResponseInvalidError;
    RequestInvalidError: new (...args: never[]) => Error;
    createSession(target: string, community: string, options?: snmp.SessionOptions): snmp.Session;
    createV3Session(target: string, user: snmp.User, options?: snmp.SessionOptions): snmp.Session;
    createAgent(options: snmp.AgentOptions, callback: (error: Error | null, data: unknown) => void): snmp.Agent;
    createModuleStore(): snmp.ModuleStore;
  };
  export = snmp;
}
