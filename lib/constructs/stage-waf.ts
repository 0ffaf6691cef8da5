import { CfnWebACL, CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';

/** Props of {@link StageWaf}. */
export interface StageWafProps {
  /** ARN of the API Gateway stage to protect. */
  readonly stageArn: string;
}

/**
 * Rules of the AWS managed rule groups that inspect the request body. Every prompt is a body, and
 * ordinary prompts contain what these rules look for: code with `<script>`, paths with `../`,
 * `${jndi:` in a log excerpt, `169.254.169.254` in a question about EC2, or simply more than 8 KB.
 * They count (visible in the WAF metrics and sampled requests) instead of blocking.
 */
const COUNTED_BODY_RULES = {
  AWSManagedRulesCommonRuleSet: ['SizeRestrictions_BODY', 'CrossSiteScripting_BODY', 'GenericLFI_BODY', 'GenericRFI_BODY', 'EC2MetaDataSSRF_BODY'],
  AWSManagedRulesKnownBadInputsRuleSet: ['JavaDeserializationRCE_BODY', 'Log4JRCE_BODY'],
} as const;

/**
 * A regional AWS WAF web ACL on the API stage with the AWS managed common and known-bad-inputs
 * rule sets. Their rules on URI, query string, headers and cookies block; their body rules only
 * count ({@link COUNTED_BODY_RULES}), or prompts would be blocked.
 */
export class StageWaf extends Construct {
  /** The web ACL. */
  readonly webAcl: CfnWebACL;

  constructor(scope: Construct, id: string, props: StageWafProps) {
    super(scope, id);
    const visibility = (metricName: string): CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName,
    });
    const managed = (priority: number, name: keyof typeof COUNTED_BODY_RULES): CfnWebACL.RuleProperty => ({
      name,
      priority,
      overrideAction: { none: {} },
      statement: {
        managedRuleGroupStatement: {
          vendorName: 'AWS',
          name,
          ruleActionOverrides: COUNTED_BODY_RULES[name].map((rule) => ({ name: rule, actionToUse: { count: {} } })),
        },
      },
      visibilityConfig: visibility(name),
    });
    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility('SwitchyardWebAcl'),
      rules: [
        managed(0, 'AWSManagedRulesCommonRuleSet'),
        managed(1, 'AWSManagedRulesKnownBadInputsRuleSet'),
      ],
    });
    new CfnWebACLAssociation(this, 'Association', { resourceArn: props.stageArn, webAclArn: this.webAcl.attrArn });
  }
}
