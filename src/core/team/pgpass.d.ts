// Types for `pgpass` (node-postgres' reader of ~/.pgpass), which ships none.
declare module 'pgpass' {
  function pgpass(
    connInfo: { host: string; port: string; database: string; user: string },
    callback: (password: string | undefined) => void,
  ): void;
  export default pgpass;
}
