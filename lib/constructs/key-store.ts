import type { RemovalPolicy } from 'aws-cdk-lib';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { FunctionEnv } from '../../functions/deployment-names';
import { keysTableSchema } from '../../functions/adapters/aws/table-schemas';
import { tableFromSchema } from './table-from-schema';

/** Props of {@link KeyStore}. */
export interface KeyStoreProps {
  /** What happens to the table when it leaves the stack (default RETAIN: keys outlive stacks). */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The virtual-key table (schema of the DynamoDB key store adapter): key records addressed by the
 * SHA-256 of the plaintext key, so authentication is one `GetItem`, team budget records, and a GSI
 * on `keyId` for the CLI (`keys show/revoke/rotate`).
 */
export class KeyStore extends Construct {
  /** The DynamoDB table. */
  readonly table: TableV2;

  constructor(scope: Construct, id: string, props: KeyStoreProps = {}) {
    super(scope, id);
    this.table = tableFromSchema(this, 'Table', keysTableSchema, props.removalPolicy);
  }

  /**
   * Lets `fn` look keys and team records up (the authorizer): sets the table-name variable and
   * grants `dynamodb:GetItem` on this table only. Key administration runs from the CLI with the
   * operator's credentials, so no function gets write access.
   */
  bindTo(fn: LambdaFunction): void {
    fn.addEnvironment(FunctionEnv.KeysTable, this.table.tableName);
    fn.addToRolePolicy(new PolicyStatement({ actions: ['dynamodb:GetItem'], resources: [this.table.tableArn] }));
  }
}
