import { Aws, CfnDeletionPolicy, CfnResource, Fn, RemovalPolicy } from 'aws-cdk-lib';
import type { IAspect } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Eight hex digits unique to one creation of the stack (the first group of the UUID in its
 * `AWS::StackId`), stable across updates. A physical name that ends with it never collides with
 * what a rolled-back first deploy or a `cdk destroy` left behind (retained resources, secrets in
 * their deletion recovery window): the next stack has a new id.
 */
export function stackInstanceSuffix(): string {
  return Fn.select(0, Fn.split('-', Fn.select(2, Fn.split('/', Aws.STACK_ID))));
}

/**
 * Turns every `Retain` deletion policy of the stack into `RetainExceptOnCreate`
 * (`RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE`): data survives an update or a `cdk destroy`, but a
 * first deploy that rolls back deletes what it created instead of leaving orphans behind.
 */
export class RetainExceptOnCreate implements IAspect {
  visit(node: IConstruct): void {
    if (node instanceof CfnResource && node.cfnOptions.deletionPolicy === CfnDeletionPolicy.RETAIN) {
      node.applyRemovalPolicy(RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE);
    }
  }
}
