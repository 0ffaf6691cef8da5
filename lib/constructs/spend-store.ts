import type { RemovalPolicy } from 'aws-cdk-lib';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { FunctionEnv } from '../../functions/deployment-names';
import { spendTableSchema } from '../../functions/adapters/aws/table-schemas';
import { tableFromSchema } from './table-from-schema';

/** Props of {@link SpendStore}. */
export interface SpendStoreProps {
  /** What happens to the table when it leaves the stack (default RETAIN: spend is an audit trail). */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The spend table (schema of the DynamoDB spend store adapter): one counter item per scope
 * (`key#…`, `team#…`) and period, so period rollover is a new item; per-minute request windows
 * expire through TTL; held reservations are items of their own until settled or released.
 */
export class SpendStore extends Construct {
  /** The DynamoDB table. */
  readonly table: TableV2;

  constructor(scope: Construct, id: string, props: SpendStoreProps = {}) {
    super(scope, id);
    this.table = tableFromSchema(this, 'Table', spendTableSchema, props.removalPolicy);
  }

  /**
   * Lets `fn` admit, reserve and settle (the gateway): sets the table-name variable and grants
   * on this table only `GetItem`, `UpdateItem` (counters, windows), `PutItem` (a reservation
   * record) and `DeleteItem` (its settlement) — a transaction is authorised per item as the
   * action of each of its writes.
   */
  bindTo(fn: LambdaFunction): void {
    fn.addEnvironment(FunctionEnv.SpendTable, this.table.tableName);
    fn.addToRolePolicy(new PolicyStatement({ actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'], resources: [this.table.tableArn] }));
  }

  /**
   * Lets `fn` release expired reservations (the sweeper): sets the table-name variable and grants
   * on this table only `Query` (the expired records), `DeleteItem` and `UpdateItem` (a release
   * deletes the record and charges its counters in one transaction).
   */
  bindSweeperTo(fn: LambdaFunction): void {
    fn.addEnvironment(FunctionEnv.SpendTable, this.table.tableName);
    fn.addToRolePolicy(new PolicyStatement({ actions: ['dynamodb:Query', 'dynamodb:DeleteItem', 'dynamodb:UpdateItem'], resources: [this.table.tableArn] }));
  }
}
