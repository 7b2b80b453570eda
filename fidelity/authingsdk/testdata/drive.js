// Drives the Authing emulator through the official Node SDK (authing-node-sdk v4), the calls the
// downstream sync's write-back makes. One JSON line per step on stdout: the step name and the
// envelope (statusCode, apiCode, message, data), or the error the SDK threw.
// Environment: AUTHING_HOST, AUTHING_AK, AUTHING_SK.
const { ManagementClient } = require("authing-node-sdk");

const host = process.env.AUTHING_HOST;
const client = new ManagementClient({
  accessKeyId: process.env.AUTHING_AK,
  accessKeySecret: process.env.AUTHING_SK,
  host,
});

async function step(name, call) {
  let out;
  try {
    const res = await call();
    out = { step: name, statusCode: res.statusCode, apiCode: res.apiCode, message: res.message, data: res.data };
  } catch (e) {
    out = { step: name, error: String(e) };
  }
  console.log(JSON.stringify(out));
  return out;
}

async function main() {
  await step("set-custom-fields", () => client.setCustomFields({
    list: [
      { targetType: "USER", key: "wechatwork_user_id", dataType: "STRING", label: "企业微信 UserID", isUnique: true },
      { targetType: "USER", key: "wechatwork_department_ids", dataType: "STRING", label: "企业微信部门ID列表" },
      { targetType: "DEPARTMENT", key: "wechatwork_department_id", dataType: "STRING", label: "企业微信部门ID" },
      { targetType: "DEPARTMENT", key: "wechatwork_parent_department_id", dataType: "STRING", label: "企业微信父部门ID" },
    ],
  }));
  await step("create-organization", () => client.createOrganization({
    organizationCode: "acme", organizationName: "Acme & <Co> 星河", openDepartmentId: "1",
  }));
  const dept = await step("create-department", () => client.createDepartment({
    organizationCode: "acme", name: "研发中心", parentDepartmentId: "root", openDepartmentId: "2",
    customData: { wechatwork_department_id: "2", wechatwork_parent_department_id: "1" },
  }));
  const user = await step("create-user", () => client.createUser({
    username: "zhangsan", name: "张三", phone: "13800000000", departmentIds: ["2"],
    options: { departmentIdType: "open_department_id" },
  }));
  const userId = user.data && user.data.userId;
  const deptId = dept.data && dept.data.departmentId;
  await step("set-custom-data user", () => client.setCustomData({
    targetType: "USER", targetIdentifier: userId,
    list: [{ key: "wechatwork_user_id", value: "ZhangSan" }, { key: "wechatwork_department_ids", value: "2" }],
  }));
  await step("set-custom-data department", () => client.setCustomData({
    targetType: "DEPARTMENT", targetIdentifier: deptId, list: [{ key: "wechatwork_department_id", value: "2" }],
  }));
  await step("get-custom-data", () => client.getCustomData({ targetType: "USER", targetIdentifier: userId }));
  await step("update-department", () => client.updateDepartment({
    organizationCode: "acme", departmentId: "2", departmentIdType: "open_department_id", name: "研发部",
    customData: { wechatwork_parent_department_id: "1" },
  }));
  await step("update-user-batch", () => client.updateUserBatch({
    list: [{ userId, name: "张三丰", customData: { wechatwork_department_ids: "2,3" } }],
  }));
  await step("get-user", () => client.getUser({ userId, withCustomData: true, withDepartmentIds: true }));
  await step("list-users", () => client.listUsers({
    advancedFilter: [{ field: "wechatwork_user_id", operator: "EQUAL", value: "ZhangSan" }],
    options: { pagination: { page: 1, limit: 10 }, withCustomData: true },
  }));
  await step("list-custom-fields", () => client.listCustFields({ targetType: "DEPARTMENT", dataType: "STRING" }));
  await step("delete-custom-fields", () => client.deleteCustomFields({
    list: [{ targetType: "DEPARTMENT", key: "wechatwork_parent_department_id" }],
  }));
  await step("list-organizations", () => client.listOrganizations({}));

  const wrong = new ManagementClient({ accessKeyId: process.env.AUTHING_AK, accessKeySecret: "wrong-secret", host });
  await step("wrong secret", () => wrong.getCustomFields({ targetType: "USER" }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
