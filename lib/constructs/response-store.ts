import type { RemovalPolicy } from 'aws-cdk-lib';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { FunctionEnv } from '../../functions/deployment-names';
import { responsesTableSchema } from '../../functions/adapters/aws/table-schemas';
import { tableFromSchema } from './table-from-schema';

/** Props of {@link ResponseStore}. */
export interface ResponseStoreProps {
  /** What happens to the table when it leaves the stack (default RETAIN, like every Switchyard table). */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The stored-responses table (schema of the DynamoDB response store adapter): Responses API
 * responses with their conversation, per key, expiring after 30 days through TTL.
 */
export class ResponseStore extends Construct {
  /** The DynamoDB table. */
  readonly table: TableV2;

  constructor(scope: Construct, id: string, props: ResponseStoreProps = {}) {
    super(scope, id);
    this.table = tableFromSchema(this, 'Table', responsesTableSchema, props.removalPolicy);
  }

  /**
   * Lets `fn` keep, read and delete responses (the gateway): sets the table-name variable and
   * grants `GetItem`, `PutItem` and `DeleteItem` on this table only.
   */
  bindTo(fn: LambdaFunction): void {
    fn.addEnvironment(FunctionEnv.ResponsesTable, this.table.tableName);
    fn.addToRolePolicy(new PolicyStatement({ actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'], resources: [this.table.tableArn] }));
  }
}
